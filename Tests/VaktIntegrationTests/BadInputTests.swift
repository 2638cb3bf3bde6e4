import Foundation
import Testing
import VaktStore
import VaktTesting

/// Bad input gets a clear reason, is counted and recorded, is logged at most once a minute
/// per source, and the hub keeps running.
@Suite(.serialized)
struct BadInputTests {
    @Test func rejectsEachKindOfGarbageAndKeepsRunning() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, hub) = running.parts
        let snapshots = try subscribe(broker, "vakt/marker/alarms/+")
        defer { snapshots.stop() }

        let scratch = try TemporaryDirectory(prefix: "vakt-bad")
        defer { scratch.remove() }
        let big = scratch.appending("big.json")
        try Data(("{\"action\":\"" + String(repeating: "x", count: 1_048_576) + "\"}").utf8).write(to: big)

        try publish(broker, "zigbee2mqtt/room101/sos", "this is not json")
        try publish(broker, "zigbee2mqtt/room101/sos", "not json either")
        try publish(broker, "zigbee2mqtt/room101/sos", "{\"action\":")
        try publish(broker, "zigbee2mqtt/room102/fall", #"{"fall_down_status":17,"linkquality":3}"#)
        try publish(broker, "zigbee2mqtt/room102/fall", #"["fall"]"#)
        try publish(broker, "zigbee2mqtt/room999/door", Payloads.door(open: true, linkquality: 1))
        let pubBig = try ChildProcess(
            "/usr/bin/mosquitto_pub",
            ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", "zigbee2mqtt/room103/sos", "-f", big.path])
        #expect(pubBig.wait() == 0)

        // The hub still works: a real SOS press raises an alarm after all that.
        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        try snapshots.waitForLine(containing: "vakt/marker/alarms/A1")
        #expect(hub.isRunning)

        let store = try Store(directory: site.dataPath)
        #expect(try store.eventCounts()["rejected"] == 7)
        let open = try store.openAlarms()
        #expect(open.map(\.kind) == ["sos"])
        #expect(open.first?.room == "105")

        // Three rejections from room101-sos within a minute: one log line, not three.
        let log = hub.output
        #expect(log.filter { $0.contains("rejected input from room101-sos") }.count == 1, "\(log)")
        #expect(log.contains { $0.contains("room102-fall") && $0.contains("fall_down_status") })
        #expect(log.contains { $0.contains("no device owns topic zigbee2mqtt/room999/door") })
        #expect(log.contains { $0.contains("room103-sos") && $0.contains("bytes") })
    }

    /// Hostile shapes: nesting deep enough to exhaust a recursive parser, bytes that are not
    /// UTF-8, commands with an unknown action, a forged staff field, an unknown staff login.
    @Test func hostileShapesAndForgedCommandsAreRefusedAndTheHubKeepsRunning() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, hub) = running.parts
        let replies = try subscribe(broker, "vakt/marker/replies/#")
        defer { replies.stop() }
        let scratch = try TemporaryDirectory(prefix: "vakt-hostile")
        defer { scratch.remove() }
        let deep = scratch.appending("deep.json")
        try Data((String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)).utf8).write(to: deep)
        let binary = scratch.appending("binary.json")
        try Data([0x7B, 0x22, 0x61, 0x63, 0x74, 0x69, 0x6F, 0x6E, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0xC0, 0x22, 0x7D])
            .write(to: binary)
        for (topic, file) in [("zigbee2mqtt/room101/sos", deep), ("zigbee2mqtt/room102/sos", binary)] {
            let pub = try ChildProcess(
                "/usr/bin/mosquitto_pub",
                ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", topic, "-f", file.path])
            #expect(pub.wait() == 0)
        }

        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        let alarm = try waitForAlarm(site) { $0["room"] as? String == "105" }
        let id = try #require(alarm["id"] as? String)
        // An action nobody has.
        try publish(broker, "vakt/marker/commands/ns1", #"{"id":"x1","action":"delete-everything","alarm":"\#(id)"}"#)
        let unknown = try replies.waitForLine(containing: "\"x1\"")
        #expect(unknown.contains("\"ok\":false"))
        #expect(unknown.contains("must be one of"))
        // A forged staff field: the login (the topic) is who acts, not what the message claims.
        try publish(
            broker, "vakt/marker/commands/ns1", #"{"id":"x2","action":"ack","alarm":"\#(id)","staff":"nic1"}"#)
        _ = try replies.waitForLine(containing: "\"x2\"")
        let acked = try waitForAlarm(site) { $0["id"] as? String == id && $0["acknowledged_by"] is String }
        #expect(acked["acknowledged_by"] as? String == "ns1")
        // A login that is no staff member: refused, told so, and on record.
        try publish(broker, "vakt/marker/commands/mallory", #"{"id":"x3","action":"resolve","alarm":"\#(id)"}"#)
        let records = try eventually(timeout: 20) { () -> [String]? in
            let result = try VaktCLI.run(["audit", "export", "--data", site.dataPath, "--format", "jsonl"])
            let lines = result.stdout.split(separator: "\n").map(String.init)
            return lines.contains { $0.contains("command.rejected") && $0.contains("mallory") } ? lines : nil
        }
        #expect(records.contains { $0.contains("unknown staff id") })
        let refused = try replies.waitForLine(containing: "\"x3\"")
        #expect(refused.hasPrefix("vakt/marker/replies/mallory "))
        #expect(refused.contains("\"ok\":false"))

        #expect(hub.isRunning)
        let store = try Store(directory: site.dataPath)
        #expect(try store.eventCounts()["rejected", default: 0] >= 2)
        #expect(try store.alarm(id: id)?.state == .acknowledged)
    }
}
