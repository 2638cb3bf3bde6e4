import Foundation
import Testing
import VaktDevices
import VaktRuntime
import VaktTesting

/// `vakt run` under a `Type=notify` unit, with systemd stood in for by a real Unix datagram
/// socket: READY=1 once the hub is up, WATCHDOG=1 at half the interval, STOPPING=1 on SIGTERM.
@Suite(.serialized)
struct SystemdNotifyTests {
    /// A bound Unix datagram socket, as systemd listens on `NOTIFY_SOCKET`.
    final class NotifySocket {
        let path: String
        private let fd: Int32

        init(directory: TemporaryDirectory) throws {
            path = directory.appending("notify").path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw TestSupportError("bind: \(String(cString: strerror(errno)))") }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        /// Reads datagrams until one contains `text` or `timeout` real seconds pass.
        func wait(for text: String, timeout: TimeInterval = 15) throws -> String {
            let limit = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            var seen: [String] = []
            while Date() < limit {
                let count = recv(fd, &buffer, buffer.count, 0)
                guard count > 0 else { continue }
                let message = String(decoding: buffer[0..<count], as: UTF8.self)
                if message.contains(text) { return message }
                seen.append(message)
            }
            throw TestSupportError("no \(text) on the notify socket; got \(seen)")
        }
    }

    @Test func readyWatchdogAndStopping() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let site = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/vakt")
        defer { site.remove() }
        let directory = try TemporaryDirectory(prefix: "vakt-notify")
        defer { directory.remove() }
        let notify = try NotifySocket(directory: directory)

        let hub = try ChildProcess(
            RepositoryPaths.vaktBinary,
            ["run", "--config", site.configPath, "--broker", broker.url, "--data", site.dataPath],
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
        defer { _ = hub.stop() }
        let ready = try notify.wait(for: "READY=1")
        // The demo copy without its serial devices: 21.
        #expect(ready.contains("STATUS=watching 21 devices, 0 open alarms; broker \(broker.url)"))
        // Two beats at 0.2 s apart: the watchdog is fed while the hub can work.
        _ = try notify.wait(for: "WATCHDOG=1")
        _ = try notify.wait(for: "WATCHDOG=1")
        #expect(hub.stop() == 0)
        _ = try notify.wait(for: "STOPPING=1", timeout: 5)
    }

    @Test func withoutSystemdNothingIsSentAndTheHubRuns() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let site = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/vakt")
        defer { site.remove() }
        // A watchdog interval meant for another process is not ours to feed.
        let hub = try ChildProcess(
            RepositoryPaths.vaktBinary,
            ["run", "--config", site.configPath, "--broker", broker.url, "--data", site.dataPath],
            environment: ["WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"])
        _ = try hub.waitForLine(containing: "broker confirmed the subscriptions")
        #expect(!hub.output.joined().contains("systemd watchdog"))
        #expect(hub.stop() == 0)
    }
}

/// A broker off the box must be reached over TLS with a login, unless the operator says the
/// network is closed.
@Suite struct InsecureBrokerTests {
    @Test func aPlaintextAnonymousBrokerElsewhereIsRefusedUnlessAllowed() throws {
        let site = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/vakt")
        defer { site.remove() }
        // 192.0.2.1 is TEST-NET-1: never a real host.
        let arguments = [
            "run", "--config", site.configPath, "--data", site.dataPath, "--broker", "mqtt://192.0.2.1:1883",
        ]
        let refused = try VaktCLI.run(arguments)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is not on this box and the connection is plaintext and anonymous"))
        #expect(refused.stderr.contains("--allow-insecure-broker"))
        #expect(!FileManager.default.fileExists(atPath: site.dataPath + "/vakt.sqlite"))

        // Allowed, it starts and tries the broker: this box's own address on a port nobody
        // listens on, so the attempt fails at once instead of waiting for a TCP timeout.
        let lookup = try ChildProcess(
            "/usr/bin/python3",
            [
                "-c",
                "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(('192.0.2.1', 9)); print(s.getsockname()[0])",
            ])
        #expect(lookup.wait() == 0, "this machine has no address besides loopback: \(lookup.output)")
        let address = try #require(lookup.output.last)
        let port = try freeTCPPort()
        let allowed = try ChildProcess(
            RepositoryPaths.vaktBinary,
            ["run", "--config", site.configPath, "--data", site.dataPath, "--broker", "mqtt://\(address):\(port)"]
                + ["--allow-insecure-broker"])
        _ = try allowed.waitForLine(containing: "cannot reach the broker at mqtt://\(address):\(port)")
        #expect(allowed.stop() == 0)
    }

    @Test func whatCountsAsInsecure() throws {
        func check(_ url: String, _ username: String?, passwordFile: String? = "/etc/vakt/secrets/mqtt") throws
            -> String?
        {
            HubRunner.insecurity(
                of: try BrokerAddress.parse(url), username: username,
                passwordFile: username == nil ? nil : passwordFile)
        }
        #expect(try check("mqtt://127.0.0.1:1883", nil) == nil)
        #expect(try check("mqtt://localhost", nil) == nil)
        #expect(try check("unix:///run/mosquitto/vakt.sock", nil) == nil)
        #expect(try check("mqtts://broker.kommune.no", "vakt-marker") == nil)
        #expect(try check("mqtts://broker.kommune.no", nil) == "anonymous")
        #expect(try check("mqtt://broker.kommune.no", "vakt-marker") == "plaintext")
        #expect(try check("mqtt://10.0.0.5", "") == "plaintext and anonymous")
        #expect(try check("mqtt://127.1.2.3", nil) == nil)
        #expect(try check("mqtt://[::1]:1883", nil) == nil)
        #expect(try check("mqtt://127.example.org", nil) == "plaintext and anonymous")
        #expect(try check("mqtts://broker.kommune.no", "vakt-marker", passwordFile: nil) == "anonymous")
    }
}

/// `scripts/install --root DIR` stages everything a Debian edge box gets, and never writes
/// over a site's configuration.
@Suite struct InstallTests {
    @Test func stagesTheBoxAndKeepsAnExistingConfiguration() throws {
        let stage = try TemporaryDirectory(prefix: "vakt-install")
        defer { stage.remove() }
        let script = RepositoryPaths.root.appendingPathComponent("scripts/install").path
        let arguments = [script, "--root", stage.path, "--binary", RepositoryPaths.vaktBinary]
        let first = try ChildProcess("/bin/bash", arguments)
        #expect(first.wait() == 0, "\(first.output)")

        let manager = FileManager.default
        func mode(_ path: String) throws -> Int? {
            try manager.attributesOfItem(atPath: stage.appending(path).path)[.posixPermissions] as? Int
        }
        #expect(try mode("usr/local/bin/vakt") == 0o755)
        #expect(try mode("var/lib/vakt") == 0o750)
        #expect(try mode("etc/vakt/secrets") == 0o750)
        for unit in ["vakt.service", "vakt-prune.service", "vakt-prune.timer"] {
            #expect(manager.fileExists(atPath: stage.appending("etc/systemd/system/\(unit)").path), "\(unit)")
        }
        #expect(
            manager.fileExists(atPath: stage.appending("usr/local/share/vakt/Devices/contactid/surgard-mlr2.yaml").path)
        )
        #expect(manager.fileExists(atPath: stage.appending("usr/local/share/vakt/docs/operations.md").path))
        let site = stage.appending("etc/vakt/site.yaml")
        let text = try String(contentsOf: site, encoding: .utf8)
        #expect(text.contains("\nprofiles: /usr/local/share/vakt/Devices\n"))
        #expect(text.contains("\ndata: /var/lib/vakt\n"))

        // The operator describes the site; installing again (an upgrade) leaves it alone.
        try (text + "# edited for the site\n").write(to: site, atomically: true, encoding: .utf8)
        let again = try ChildProcess("/bin/bash", arguments)
        #expect(again.wait() == 0)
        #expect(again.output.contains { $0.contains("already holds a configuration; left as it is") })
        #expect(try String(contentsOf: site, encoding: .utf8).hasSuffix("# edited for the site\n"))
    }
}
