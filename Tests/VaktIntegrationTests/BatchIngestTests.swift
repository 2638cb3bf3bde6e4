import Foundation
import Testing
import VaktCore
import VaktDevices
import VaktStore
import VaktTesting

@testable import VaktRuntime

/// Messages read together commit together, and the engine changes in place while they do
/// (`Hub.inOneTransaction`). A batch that cannot commit as one (here: a staff command in it)
/// leaves the engine as it was before the batch and goes again one by one: every message is
/// taken once, alarms are raised once and numbered without a gap.
@Suite struct BatchIngestTests {
    private func message(_ topic: String, _ payload: String, mid: Int) -> MQTTMessage {
        MQTTMessage(topic: topic, payload: Array(payload.utf8), qos: 1, retain: false, mid: mid)
    }

    @Test func aBatchThatGoesAgainOneByOneLeavesNoTrace() throws {
        let (site, _, store, hub) = try quietHub()
        defer { site.remove() }
        let fall = #"{"fall_down_status":"fall","linkquality":150}"#
        let door = #"{"battery":97,"contact":false,"linkquality":120,"voltage":3005}"#

        // Together: a fall and a door raise and record in one transaction.
        #expect(
            hub.ingest(batch: [
                message("zigbee2mqtt/room103/fall", fall, mid: 1), message("zigbee2mqtt/room103/door", door, mid: 2),
            ]) == nil)
        #expect(try store.alarms(includeResolved: true).map(\.id) == ["A1"])

        // A fall, then a command: the engine had raised A2 in place when the command sent the
        // batch back; it is put back, and the two go one by one.
        let ack = #"{"id":"c1","action":"ack","alarm":"A2"}"#
        #expect(
            hub.ingest(batch: [
                message("zigbee2mqtt/room101/fall", fall, mid: 3), message("vakt/marker/commands/ns1", ack, mid: 4),
            ]) == nil)
        let alarms = try store.alarms(includeResolved: true).sorted { ($0.number ?? 0) < ($1.number ?? 0) }
        #expect(alarms.map(\.id) == ["A1", "A2"])
        #expect(alarms.last?.acknowledgedBy == "ns1")
        // Raised once, on record: an engine not put back would take the fall again as a repeat
        // of an A2 the store never kept.
        #expect(alarms.last?.repeats == 0)
        #expect(try store.timeline(alarm: "A2").filter { $0.action == "alarm.raised" }.count == 1)
        #expect(hub.openAlarms.map(\.id) == ["A1", "A2"])

        // The next alarm is A3: nothing of the rolled-back attempt is left in the numbering.
        #expect(hub.ingest(batch: [message("zigbee2mqtt/room102/fall", fall, mid: 5)]) == nil)
        #expect(try store.alarm(id: "A3") != nil)
        #expect(try store.eventCounts().values.reduce(0, +) == 5)
        guard case .intact = try store.verifyAudit() else {
            Issue.record("audit chain broken")
            return
        }
    }
}
