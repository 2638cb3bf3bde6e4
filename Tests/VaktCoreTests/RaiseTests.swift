import Foundation
import Testing
import VaktCore

@Suite("Raising and joining alarms")
struct RaiseTests {
    let t0 = Fixture.t0

    @Test("fall.detected raises critical fall A1: saved, audited, tier 0 to on-duty staff, timer at +120 s")
    func fallRaisesA1() {
        var engine = Fixture.engine()
        let effects = engine.handle(Fixture.fall(101), at: t0)

        var expected = Alarm(
            id: "A1", kind: "fall", severity: .critical, resident: "r101", room: "101", device: "room101-fall",
            rule: "fall", policy: "standard", raisedAt: t0)
        // For dashboards: who tier 0 reached, and when tier 1 comes if nobody answers.
        expected.notified = ["ns1", "ns2"]
        expected.escalatesAt = t0 + 120
        expected.key = "resident:r101:fall"
        func tier0(_ id: String, _ name: String) -> Notification {
            Notification(
                key: Fixture.key("A1", tier: 0, round: 0, id), alarm: "A1", tier: 0, round: 0, channel: "webhook",
                recipient: Recipient(id: id, name: name, kind: .staff, address: "staff/\(id)"),
                severity: .critical, alarmKind: "fall", room: "101",
                title: "KRITISK: Fall – Rom 101",
                body: "Alarm A1: fall hos Astrid Hansen, rom 101, kl. 03:00. Trinn 1. Kvitter i Vakt.")
        }
        func queued(_ id: String) -> Effect {
            .audit(
                AuditEntry(
                    at: t0, actor: "hub", action: .notificationQueued, alarm: "A1", channel: "webhook", recipient: id,
                    detail: ["tier": "0", "round": "0"]))
        }
        #expect(
            effects == [
                .saveAlarm(expected),
                .audit(
                    AuditEntry(
                        at: t0, actor: "device:room101-fall", action: .alarmRaised, alarm: "A1",
                        detail: [
                            "event": "fall.detected", "severity": "critical", "room": "101", "rule": "fall",
                            "raw": "fall_alarm",
                        ])),
                .enqueue(tier0("ns1", "Siri Nattevakt")), queued("ns1"),
                .enqueue(tier0("ns2", "Jonas Nattevakt")), queued("ns2"),
                .schedule(ScheduledTimer(id: "A1:escalate", alarm: "A1", purpose: .escalate, due: t0 + 120)),
            ])
        #expect(!effects.recipientIDs.contains("ns3"))
        #expect(engine.openAlarms == ["A1": expected])
        #expect(engine.nextNumber == 2)
    }

    @Test("sos raises a critical sos alarm for the resident of the button's room")
    func sosRaises() {
        var engine = Fixture.engine()
        let effects = engine.handle(Fixture.event(.sos, "room104-sos"), at: t0)
        let alarm = effects.savedAlarms.first
        #expect(alarm?.id == "A1")
        #expect(alarm?.kind == "sos")
        #expect(alarm?.severity == .critical)
        #expect(alarm?.resident == "r104")
        #expect(alarm?.room == "104")
        #expect(effects.notification(for: "ns1")?.title == "KRITISK: Trygghetsknapp – Rom 104")
        #expect(effects.schedules.map(\.due) == [t0 + 120])
    }

    @Test("fall.suspected raises high; a later fall.detected joins it and upgrades to critical")
    func suspectedThenDetectedJoinsAndUpgrades() {
        var engine = Fixture.engine()
        let first = engine.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0)
        #expect(first.savedAlarms.map(\.severity) == [.high])
        #expect(first.savedAlarms.map(\.rule) == ["fall-suspected"])
        #expect(first.notification(for: "ns1")?.title == "HØY: Fall – Rom 101")

        let later = t0 + 15
        let second = engine.handle(Fixture.fall(101), at: later)
        var joined = Alarm(
            id: "A1", kind: "fall", severity: .critical, resident: "r101", room: "101", device: "room101-fall",
            rule: "fall-suspected", policy: "standard", raisedAt: t0, repeats: 1, lastEventAt: later)
        // A repeat does not restart the escalation clock.
        joined.notified = ["ns1", "ns2"]
        joined.escalatesAt = t0 + 120
        joined.key = "resident:r101:fall"
        #expect(
            second == [
                .saveAlarm(joined),
                .audit(
                    AuditEntry(
                        at: later, actor: "device:room101-fall", action: .alarmJoined, alarm: "A1",
                        detail: ["event": "fall.detected", "repeats": "1"])),
                .audit(
                    AuditEntry(
                        at: later, actor: "device:room101-fall", action: .alarmUpgraded, alarm: "A1",
                        detail: ["from": "high", "to": "critical"])),
            ])
        #expect(engine.openAlarms.count == 1)
        #expect(engine.openAlarms["A1"]?.severity == .critical)
        #expect(engine.openAlarms["A1"]?.repeats == 1)
        #expect(engine.nextNumber == 2)
    }

    @Test("a repeat of the same event joins the open alarm without notifying or re-arming")
    func repeatJoins() {
        var engine = Fixture.engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        let again = engine.handle(Fixture.fall(101), at: t0 + 5)
        let twice = engine.handle(Fixture.fall(101), at: t0 + 9)
        #expect(again.auditActions == [.alarmJoined])
        #expect(again.savedAlarms.map(\.repeats) == [1])
        #expect(twice.savedAlarms.map(\.repeats) == [2])
        #expect(twice.savedAlarms.map(\.lastEventAt) == [t0 + 9])
        #expect(twice.audits.first?.detail["repeats"] == "2")
        #expect(again.notifications.isEmpty && twice.notifications.isEmpty)
        #expect(again.schedules.isEmpty && twice.schedules.isEmpty)
        #expect(engine.openAlarms.keys.sorted() == ["A1"])
    }

    @Test("a downgrade never happens: fall.suspected joining a critical fall keeps it critical")
    func noDowngrade() {
        var engine = Fixture.engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        let effects = engine.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0 + 3)
        #expect(effects.auditActions == [.alarmJoined])
        #expect(engine.openAlarms["A1"]?.severity == .critical)
    }

    @Test("an event from another device raises a second alarm A2")
    func otherDeviceRaisesA2() {
        var engine = Fixture.engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        let effects = engine.handle(Fixture.fall(102), at: t0 + 30)
        let a2 = effects.savedAlarms.first
        #expect(a2?.id == "A2")
        #expect(a2?.resident == "r102")
        #expect(a2?.room == "102")
        #expect(a2?.device == "room102-fall")
        #expect(
            effects.schedules == [ScheduledTimer(id: "A2:escalate", alarm: "A2", purpose: .escalate, due: t0 + 150)])
        #expect(
            effects.notifications.map(\.key) == [
                Fixture.key("A2", tier: 0, round: 0, "ns1"), Fixture.key("A2", tier: 0, round: 0, "ns2"),
            ])
        #expect(engine.openAlarms.keys.sorted() == ["A1", "A2"])

        // A different kind from the same room's other device is a separate alarm too.
        let sos = engine.handle(Fixture.event(.sos, "room101-sos"), at: t0 + 40)
        #expect(sos.savedAlarms.map(\.id) == ["A3"])
        #expect(engine.openAlarms.keys.sorted() == ["A1", "A2", "A3"])
    }

    @Test(
        "door events, battery levels and unknown devices raise nothing",
        arguments: [
            Fixture.event(.doorOpened, "room101-door"),
            Fixture.event(.doorClosed, "room101-door"),
            Fixture.event(.batteryLow, "room101-fall"),
            Fixture.event(.fallDetected, "room999-fall"),
        ])
    func nothingRaised(input: Input) {
        var engine = Fixture.engine()
        #expect(engine.handle(input, at: t0) == [])
        #expect(engine.openAlarms.isEmpty)
        #expect(engine.nextNumber == 1)
    }
}
