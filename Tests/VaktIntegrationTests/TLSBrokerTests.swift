import Foundation
import Testing
import VaktTesting

/// The hub against a real mosquitto over TLS with logins: connected and working with the
/// right CA and password, refused (and still running, saying why) with a CA that did not
/// sign the broker's certificate.
@Suite(.serialized)
struct TLSBrokerTests {
    /// A demo site whose broker section logs in and trusts `caFile`.
    private func site(_ security: BrokerSecurity, caFile: String) throws -> DemoSiteCopy {
        let passwordFile = try security.directory.writeSecret("hub-password", "hub-secret\n")
        return try DemoSiteCopy(
            webhookURL: "http://127.0.0.1:9/vakt",
            edits: [
                "site.yaml": [
                    (
                        "  client_id: vakt-marker",
                        "  client_id: vakt-marker\n  username: vakt-marker\n  password_file: \(passwordFile.path)\n  ca_file: \(caFile)"
                    )
                ]
            ])
    }

    @Test func theHubWorksOverTLSWithALogin() throws {
        let security = try BrokerSecurity(users: ["vakt-marker": "hub-secret", "zigbee2mqtt": "z2m-secret"])
        defer { security.remove() }
        let broker = try MosquittoBroker(security: security)
        defer { broker.stop() }
        #expect(broker.url.hasPrefix("mqtts://127.0.0.1:"))
        let site = try site(security, caFile: security.caFile)
        defer { site.remove() }
        let hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        defer { _ = hub.stop() }

        let pub = try ChildProcess(
            "/usr/bin/mosquitto_pub",
            [
                "-h", "127.0.0.1", "-p", "\(broker.port)", "--cafile", security.caFile, "-u", "zigbee2mqtt", "-P",
                "z2m-secret", "-q", "1", "-t", "zigbee2mqtt/room105/sos", "-m", Payloads.sosPress,
            ])
        #expect(pub.wait() == 0, "\(pub.output)")
        let alarm = try waitForAlarm(site) { $0["kind"] as? String == "sos" }
        #expect(alarm["room"] as? String == "105")
    }

    @Test func aBrokerCertificateFromAnotherCAIsRefusedAndSaidSo() throws {
        let security = try BrokerSecurity(users: ["vakt-marker": "hub-secret"])
        defer { security.remove() }
        let broker = try MosquittoBroker(security: security)
        defer { broker.stop() }
        let site = try site(security, caFile: security.otherCAFile)
        defer { site.remove() }
        let hub = try ChildProcess(
            RepositoryPaths.vaktBinary,
            ["run", "--config", site.configPath, "--broker", broker.url, "--data", site.dataPath])
        defer { _ = hub.stop() }
        let refused = try hub.waitForLine(containing: "certificate verify failed")
        #expect(refused.contains("not signed by the CA the hub trusts (broker.ca_file)"))
        #expect(hub.output.filter { $0.contains("certificate verify failed") }.count == 1)
        #expect(refused.contains(broker.url))
        // The hub keeps running (serial devices, timers and the outbox do not need the broker).
        #expect(hub.isRunning)
        #expect(hub.stop() == 0)
    }
}
