import Foundation
import Testing
import VaktTesting

/// Publishes one message with the real `mosquitto_pub` at QoS 1 and waits until it is sent.
func publish(_ broker: MosquittoBroker, _ topic: String, _ message: String) throws {
    let pub = try ChildProcess(
        "/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", topic, "-m", message])
    let status = pub.wait()
    guard status == 0 else { throw TestSupportError("mosquitto_pub exited \(status): \(pub.output)") }
}

/// Starts `mosquitto_sub` on `topic`; its output lines are `topic payload`.
func subscribe(_ broker: MosquittoBroker, _ topic: String) throws -> ChildProcess {
    try ChildProcess(
        "/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", topic, "-v"])
}

/// `vakt alarms --json` parsed.
func alarms(data: String, all: Bool = false) throws -> [[String: Any]] {
    let result = try VaktCLI.run(["alarms", "--data", data, "--json"] + (all ? ["--all"] : []))
    guard result.status == 0 else { throw TestSupportError("vakt alarms exited \(result.status): \(result.stderr)") }
    guard let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
        throw TestSupportError("vakt alarms printed no JSON array: \(result.stdout)")
    }
    return array
}

/// Real zigbee2mqtt payloads, as the demo site's devices publish them.
enum Payloads {
    static let heimanFallAlarm =
        #"{"battery":100,"fall_status":"fall_alarm","linkquality":116,"occupancy":true,"tamper":false,"voltage":3000}"#
    static let tuyaFall = #"{"fall_down_status":"fall","linkquality":156,"motion_state":"large_move","presence":true}"#
    static let sosPress = #"{"action":"emergency","battery":100,"linkquality":98,"voltage":3000}"#
    static func door(open: Bool, linkquality: Int) -> String {
        #"{"battery":97,"contact":\#(open ? "false" : "true"),"device_temperature":21,"linkquality":\#(linkquality),"power_outage_count":2,"voltage":3015}"#
    }
}

/// What most integration tests start: a broker, a webhook receiver, a copy of the demo site
/// pointing at both, and the hub (`vakt run`) on them, connected. `close()` stops them all,
/// the hub first.
final class RunningHub {
    let broker: MosquittoBroker
    let receiver: WebhookReceiver
    let site: DemoSiteCopy
    let hub: ChildProcess
    /// The broker's persistence, when it keeps one (its sessions outlive a restart).
    let persistence: TemporaryDirectory?

    /// - Parameter persistent: Give the broker persistence, so it can be stopped and started
    ///   again with the hub's session and the retained state kept.
    init(persistent: Bool = false) throws {
        let persistence = persistent ? try TemporaryDirectory(prefix: "vakt-broker") : nil
        self.persistence = persistence
        let broker: MosquittoBroker
        do {
            broker = try MosquittoBroker(persistenceDirectory: persistence?.path)
        } catch {
            persistence?.remove()
            throw error
        }
        var undo: [() -> Void] = [{ persistence?.remove() }, broker.stop]
        do {
            let receiver = try WebhookReceiver()
            undo.append(receiver.stop)
            let site = try DemoSiteCopy(webhookURL: receiver.url)
            undo.append(site.remove)
            hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
            (self.broker, self.receiver, self.site) = (broker, receiver, site)
        } catch {
            for step in undo.reversed() { step() }
            throw error
        }
    }

    /// The four parts, for tests that name them separately.
    var parts: (MosquittoBroker, WebhookReceiver, DemoSiteCopy, ChildProcess) { (broker, receiver, site, hub) }

    func close() {
        hub.stop()
        site.remove()
        receiver.stop()
        broker.stop()
        persistence?.remove()
    }
}
