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
}
