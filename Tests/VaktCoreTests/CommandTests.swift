import Foundation
import Testing
import VaktCore

@Suite("Commands: acknowledge, onsite, resolve")
struct CommandTests {
    let t0 = Fixture.t0

    /// An engine with A1 raised at t0 for room 101.
    func raisedEngine() -> Engine {
        var engine = Fixture.engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        return engine
    }

    @Test("acknowledge stops escalation: cancelTimer, audit, ok reply; a stale timer fire does nothing")
    func acknowledgeStopsEscalation() {
        var engine = raisedEngine()
        let at = t0 + 45
        let effects = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns1", id: "c1"), at: at)

        var acked = Alarm(
            id: "A1", kind: "fall", severity: .critical, state: .acknowledged, resident: "r101", room: "101",
            device: "room101-fall", rule: "fall", policy: "standard", raisedAt: t0)
        acked.acknowledgedAt = at
        acked.acknowledgedBy = "ns1"
        acked.notified = ["ns1", "ns2"]
        acked.escalatesAt = nil  // acknowledged: no next escalation
        acked.key = "resident:r101:fall"
        var proven = SourceState(id: "room101-fall", watchedSince: at)
        proven.chainProvenAt = at
        proven.chainProof = "A1 (fall) answered by ns1"
        proven.chainProofKind = "alarm"
        #expect(
            effects == [
                .saveAlarm(acked),
                .cancelTimer(id: "A1:escalate"),
                .audit(
                    AuditEntry(
                        at: at, actor: "staff:ns1", action: .alarmAcknowledged, alarm: "A1", detail: ["request": "c1"])),
                // The first answer proves the fall sensor's chain (ProofTests).
                .saveSource(proven),
                .reply(CommandReply(id: "c1", staff: "ns1", ok: true, message: "A1 acknowledged", alarm: acked)),
            ])
        #expect(engine.openAlarms["A1"] == acked)

        // The timer the runtime had armed for raise+120 s fires anyway: nothing happens.
        #expect(engine.handle(Fixture.escalationFire("A1"), at: t0 + 120) == [])
        #expect(engine.handle(Fixture.escalationFire("A1"), at: t0 + 420) == [])
        #expect(engine.openAlarms["A1"]?.tier == 0)
    }

    @Test("a second acknowledge by someone else is rejected, names who has it, and is audited")
    func secondAckRejected() {
        var engine = raisedEngine()
        _ = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns1", id: "c1"), at: t0 + 45)
        let before = engine.openAlarms
        let at = t0 + 50
        let effects = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns2", id: "c2"), at: at)
        let reason = "alarm A1 is already acknowledged by ns1"
        #expect(
            effects == [
                .audit(
                    AuditEntry(
                        at: at, actor: "staff:ns2", action: .commandRejected, alarm: "A1", result: "rejected",
                        detail: ["action": "ack", "reason": reason, "request": "c2"])),
                .reply(
                    CommandReply(
                        id: "c2", staff: "ns2", ok: false, message: reason, code: "already-acknowledged", by: "ns1")),
            ])
        #expect(effects.replies.first?.message.contains("ns1") == true)
        #expect(engine.openAlarms == before)
    }

    @Test("onsite on a raised alarm implies acknowledge")
    func onsiteImpliesAck() throws {
        var engine = raisedEngine()
        let at = t0 + 90
        let effects = engine.handle(Fixture.command(.onsite, "A1", as: "ns2", id: "c3"), at: at)
        #expect(effects.cancelledTimers == ["A1:escalate"])
        #expect(effects.auditActions == [.alarmAcknowledged, .alarmOnsite])
        #expect(effects.audits.allSatisfy { $0.actor == "staff:ns2" && $0.at == at && $0.detail == ["request": "c3"] })
        let alarm = try #require(effects.savedAlarms.first)
        #expect(alarm.state == .onsite)
        #expect(alarm.acknowledgedBy == "ns2")
        #expect(alarm.acknowledgedAt == at)
        #expect(alarm.onsiteBy == "ns2")
        #expect(alarm.onsiteAt == at)
        #expect(effects.replies == [CommandReply(id: "c3", staff: "ns2", ok: true, message: "A1 onsite", alarm: alarm)])
        #expect(engine.handle(Fixture.escalationFire("A1"), at: t0 + 120) == [])
    }

    @Test("onsite after someone else's acknowledge keeps who acknowledged; a second onsite is rejected")
    func onsiteAfterAck() {
        var engine = raisedEngine()
        _ = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns1"), at: t0 + 20)
        let effects = engine.handle(Fixture.command(.onsite, "A1", as: "ns2"), at: t0 + 80)
        #expect(effects.cancelledTimers.isEmpty)
        #expect(effects.auditActions == [.alarmOnsite])
        #expect(engine.openAlarms["A1"]?.acknowledgedBy == "ns1")
        #expect(engine.openAlarms["A1"]?.acknowledgedAt == t0 + 20)
        #expect(engine.openAlarms["A1"]?.onsiteBy == "ns2")

        let again = engine.handle(Fixture.command(.onsite, "A1", as: "ns1", id: "c9"), at: t0 + 85)
        #expect(again.auditActions == [.commandRejected])
        #expect(again.replies.map(\.ok) == [false])
        #expect(again.replies.first?.message == "alarm A1 is already onsite")
    }

    @Test(
        "resolve without an outcome, or with an unknown one, is rejected with the list of codes",
        arguments: [nil, "fine", "Assisted", ""] as [String?])
    func resolveNeedsOutcome(outcome: String?) {
        var engine = raisedEngine()
        let before = engine.openAlarms
        let at = t0 + 60
        let effects = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", id: "c4", outcome: outcome), at: at)
        let reason = "resolve needs an outcome, one of: assisted, false-alarm, accidental, medical, technical, other"
        #expect(
            effects == [
                .audit(
                    AuditEntry(
                        at: at, actor: "staff:ns1", action: .commandRejected, alarm: "A1", result: "rejected",
                        detail: ["action": "resolve", "reason": reason, "request": "c4"])),
                .reply(CommandReply(id: "c4", staff: "ns1", ok: false, message: reason, code: "needs-outcome")),
            ])
        #expect(engine.openAlarms == before)
    }

    @Test("resolve closes the alarm, removes it from openAlarms; a new fall from the device raises A2")
    func resolveThenNewAlarm() throws {
        var engine = raisedEngine()
        _ = engine.handle(Fixture.command(.onsite, "A1", as: "ns1"), at: t0 + 60)
        let at = t0 + 600
        let effects = engine.handle(
            Fixture.command(.resolve, "A1", as: "ns1", id: "c5", outcome: "assisted", note: "Hjulpet opp i seng"),
            at: at)
        let alarm = try #require(effects.savedAlarms.first)
        #expect(alarm.state == .resolved)
        #expect(alarm.resolvedAt == at)
        #expect(alarm.resolvedBy == "ns1")
        #expect(alarm.outcome == "assisted")
        #expect(alarm.note == "Hjulpet opp i seng")
        #expect(effects.cancelledTimers.isEmpty)
        #expect(
            effects.audits == [
                AuditEntry(
                    at: at, actor: "staff:ns1", action: .alarmResolved, alarm: "A1",
                    detail: ["request": "c5", "outcome": "assisted", "note": "Hjulpet opp i seng"])
            ])
        #expect(
            effects.replies == [CommandReply(id: "c5", staff: "ns1", ok: true, message: "A1 resolved", alarm: alarm)])
        #expect(engine.openAlarms.isEmpty)

        // Commands and timers for the closed alarm find nothing.
        #expect(engine.handle(Fixture.escalationFire("A1"), at: at + 1) == [])
        let late = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns2"), at: at + 2)
        #expect(late.replies.map(\.message) == ["no open alarm 'A1'"])

        let next = engine.handle(Fixture.fall(101), at: at + 30)
        #expect(next.savedAlarms.map(\.id) == ["A2"])
        #expect(next.auditActions.first == .alarmRaised)
        #expect(next.schedules.map(\.due) == [at + 150])
        #expect(engine.openAlarms.keys.sorted() == ["A2"])
    }

    @Test("resolve straight from raised acknowledges first and cancels the timer")
    func resolveFromRaised() {
        var engine = raisedEngine()
        let at = t0 + 10
        let effects = engine.handle(Fixture.command(.resolve, "A1", as: "sp1", outcome: "false-alarm"), at: at)
        #expect(effects.cancelledTimers == ["A1:escalate"])
        #expect(effects.auditActions == [.alarmAcknowledged, .alarmResolved])
        #expect(effects.savedAlarms.first?.acknowledgedBy == "sp1")
        #expect(effects.savedAlarms.first?.outcome == "false-alarm")
        #expect(effects.savedAlarms.first?.note == nil)
        #expect(effects.audits.last?.detail == ["request": "req-1", "outcome": "false-alarm"])
        #expect(engine.openAlarms.isEmpty)
    }

    @Test("unknown staff id is rejected, audited, and replied with ok == false")
    func unknownStaff() {
        var engine = raisedEngine()
        let before = engine.openAlarms
        let at = t0 + 5
        let effects = engine.handle(Fixture.command(.acknowledge, "A1", as: "intruder", id: "c6"), at: at)
        let reason = "unknown staff id 'intruder'"
        #expect(
            effects == [
                .audit(
                    AuditEntry(
                        at: at, actor: "staff:intruder", action: .commandRejected, alarm: "A1", result: "rejected",
                        detail: ["action": "ack", "reason": reason, "request": "c6"])),
                .reply(CommandReply(id: "c6", staff: "intruder", ok: false, message: reason, code: "unknown-staff")),
            ])
        #expect(engine.openAlarms == before)
    }

    @Test(
        "unknown alarm id is rejected, audited, and replied with ok == false",
        arguments: [Command.Action.acknowledge, .onsite, .resolve])
    func unknownAlarm(action: Command.Action) {
        var engine = raisedEngine()
        let before = engine.openAlarms
        let at = t0 + 5
        let effects = engine.handle(Fixture.command(action, "A99", as: "ns1", id: "c7", outcome: "assisted"), at: at)
        let reason = "no open alarm 'A99'"
        #expect(
            effects == [
                .audit(
                    AuditEntry(
                        at: at, actor: "staff:ns1", action: .commandRejected, alarm: "A99", result: "rejected",
                        detail: ["action": action.rawValue, "reason": reason, "request": "c7"])),
                .reply(CommandReply(id: "c7", staff: "ns1", ok: false, message: reason, code: "no-open-alarm")),
            ])
        #expect(engine.openAlarms == before)
    }

    @Test("an off-duty member of staff may still acknowledge")
    func offDutyMayAck() {
        var engine = raisedEngine()
        let effects = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns3"), at: t0 + 130)
        #expect(effects.replies.map(\.ok) == [true])
        #expect(engine.openAlarms["A1"]?.acknowledgedBy == "ns3")
    }
}
