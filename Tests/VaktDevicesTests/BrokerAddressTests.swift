import Testing
import VaktDevices

@Suite struct BrokerAddressTests {
    @Test func mqttWithAndWithoutPort() throws {
        #expect(try BrokerAddress.parse("mqtt://127.0.0.1:1884") == BrokerAddress(host: "127.0.0.1", port: 1884))
        #expect(try BrokerAddress.parse("mqtt://broker.local") == BrokerAddress(host: "broker.local", port: 1883))
        #expect(try BrokerAddress.parse("MQTT://broker/") == BrokerAddress(host: "broker", port: 1883))
    }

    @Test func mqttsDefaultsTo8883() throws {
        #expect(
            try BrokerAddress.parse("mqtts://hub.example.no")
                == BrokerAddress(host: "hub.example.no", port: 8883, tls: true))
        #expect(try BrokerAddress.parse("mqtts://hub:8884").port == 8884)
    }

    @Test func unixSocket() throws {
        let address = try BrokerAddress.parse("unix:///run/vakt/mqtt.sock")
        #expect(address == BrokerAddress(host: "/run/vakt/mqtt.sock", port: 0, isUnixSocket: true))
        #expect(address.description == "unix:///run/vakt/mqtt.sock")
    }

    @Test func ipv6() throws {
        #expect(try BrokerAddress.parse("mqtt://[::1]:1999") == BrokerAddress(host: "::1", port: 1999))
        #expect(try BrokerAddress.parse("mqtt://[::1]").description == "mqtt://[::1]:1883")
    }

    @Test(arguments: [
        "", "127.0.0.1:1883", "http://host", "mqtt://", "mqtt://:1883", "mqtt://host:0", "mqtt://host:65536",
        "mqtt://host:12ab", "mqtt://host:", "mqtt://host/path", "mqtt://user:secret@host", "unix://relative/sock",
        "unix://", "mqtt://[::1", "mqtt://[::1]x",
    ])
    func rejects(url: String) {
        #expect(throws: BrokerAddress.ParseError.self) { try BrokerAddress.parse(url) }
    }

    @Test func errorsNeverEchoCredentials() {
        do {
            _ = try BrokerAddress.parse("mqtt://user:secret@host")
            Issue.record("accepted a URL with credentials")
        } catch {
            #expect(!error.description.contains("secret"))
        }
    }
}
