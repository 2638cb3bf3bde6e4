import Foundation
import Logging
import Testing
import VaktCore
import VaktRuntime
import VaktStore
import VaktTesting

/// Promise 2, "nothing lost": the hub is killed with SIGKILL in the middle of a stream of
/// events and restarted; every message becomes exactly one event, no alarm is duplicated,
/// the open alarm's timer is still armed, and the audit chain holds.
@Suite(.serialized)
struct CrashRecoveryTests {
    @Test func killedMidStreamLosesNothingAndDuplicatesNothing() throws {
        let scratch = try TemporaryDirectory(prefix: "vakt-crash")
        defer { scratch.remove() }
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let site = try DemoSiteCopy(webhookURL: receiver.url)
        defer { site.remove() }

        // Two batches of door messages around a fall, then an SOS press as the last message.
        // Door payloads repeat on purpose: identical payloads are still distinct events.
        let perBatch = 1_500
        for name in ["first", "second"] {
            let lines = (0..<perBatch).map { Payloads.door(open: $0 % 2 == 0, linkquality: 100 + $0 % 7) }
            try lines.joined(separator: "\n").appending("\n")
                .write(to: scratch.appending("\(name).txt"), atomically: true, encoding: .utf8)
        }
        let pub = "mosquitto_pub -h 127.0.0.1 -p \(broker.port) -q 1"
        let script = """
            set -e
            \(pub) -t zigbee2mqtt/room101/door -l < \(scratch.appending("first.txt").path)
            \(pub) -t zigbee2mqtt/room103/fall -m '\(Payloads.tuyaFall)'
            \(pub) -t zigbee2mqtt/room102/door -l < \(scratch.appending("second.txt").path)
            \(pub) -t zigbee2mqtt/room106/sos -m '\(Payloads.sosPress)'
            """

        var hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url)
        let publisher = try ChildProcess("/bin/sh", ["-c", script])
        try hub.waitForLine(containing: "alarm A1 raised")
        hub.kill()
        #expect(publisher.wait() == 0, "\(publisher.output)")

        hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url)
        try hub.waitForLine(containing: "alarm A2 raised")
        #expect(hub.stop() == 0)

        let store = try Store(directory: site.dataPath)
        let counts = try store.eventCounts()
        #expect(counts["accepted"] == 2 * perBatch + 2, "every message exactly once: \(counts)")
        #expect((counts["rejected"] ?? 0) == 0)

        let alarms = try store.alarms(includeResolved: true)
        #expect(alarms.map(\.id) == ["A1", "A2"])
        #expect(alarms.map(\.kind) == ["fall", "sos"])
        #expect(alarms.first?.room == "103")
        #expect(alarms.first?.repeats == 0, "no redelivered fall joined the alarm")

        let timers = try store.pendingTimers()
        #expect(Set(timers.map(\.alarm)) == ["A1", "A2"], "both alarms keep their escalation timer")
        if let a1 = alarms.first, let timer = timers.first(where: { $0.alarm == "A1" }) {
            #expect(timer.due == a1.raisedAt.addingTimeInterval(120))
        }
        let lifecycle = try store.auditRecords().map(\.action).filter { $0.hasPrefix("hub.") }
        #expect(
            lifecycle == ["hub.started", "hub.started", "hub.stopped"], "the crash shows as a start without a stop")
        guard case .intact = try store.verifyAudit() else {
            Issue.record("audit chain broken after a crash")
            return
        }
    }
}

/// Timers across a restart, on a real store with a manual clock: one that fell due while the
/// hub was down fires at once and is marked late; one still ahead fires at its instant.
@Suite struct TimersAcrossRestartTests {
    @Test func dueWhileDownFiresAtOnceMarkedLateAndTheRestKeepTheirInstants() throws {
        let (site, clock, store, hub) = try quietHub()
        defer { site.remove() }
        try hub.handle([.device(DeviceEvent(kind: .fallDetected, device: "room103-fall", raw: "fall"))])
        let raisedAt = clock.now()
        clock.advance(by: 60)
        try hub.handle([.device(DeviceEvent(kind: .fallDetected, device: "room101-fall", raw: "fall"))])

        // The hub is gone for eight minutes (killed: nothing more than the store is left).
        clock.advance(by: 480)
        let restarted = try Hub(site: hub.site, store: store, clock: clock, logger: Logger(label: "test"))
        try restarted.fireDueTimers()
        let escalations = try store.auditRecords().filter { $0.action == AuditAction.alarmEscalated.rawValue }
        #expect(escalations.map(\.alarm) == ["A1", "A2"])
        // A1 was due at raise + 2 min, A2 a minute later: both fired at once, on record as late.
        #expect(escalations.map { $0.detail["late_seconds"] } == ["420", "360"])
        #expect(restarted.openAlarms.map(\.tier) == [1, 1])

        // Their next tiers are five minutes from now, and fire then, not before.
        let next = try #require(try store.pendingTimers().first)
        #expect(next.due == raisedAt.addingTimeInterval(540 + 300))
        clock.advance(by: 299)
        try restarted.fireDueTimers()
        #expect(restarted.openAlarms.map(\.tier) == [1, 1])
        clock.advance(by: 1)
        try restarted.fireDueTimers()
        #expect(restarted.openAlarms.map(\.tier) == [2, 2])
        let late = try store.auditRecords().filter { $0.action == AuditAction.alarmEscalated.rawValue }.suffix(2)
        #expect(late.allSatisfy { $0.detail["late_seconds"] == nil })
    }
}
