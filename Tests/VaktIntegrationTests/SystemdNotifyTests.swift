import Foundation
import Testing
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
