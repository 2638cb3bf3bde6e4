import Foundation
import Testing
import VaktCore

@Suite("Escalation by timer")
struct EscalationTests {
    let t0 = Fixture.t0

    @Test("raise+120 s: tier 1 reaches all night staff and the nurse in charge; next timer at +300 s")
    func tierOne() throws {
        var engine = Fixture.engine()
        let raised = engine.handle(Fixture.fall(101), at: t0)
        let timer = try #require(raised.schedules.first)
        #expect(timer.fire == TimerFire(id: "A1:escalate", alarm: "A1", purpose: .escalate, due: t0 + 120))

        let at = t0 + 120
        let effects = engine.handle(.timer(timer.fire), at: at)
        #expect(effects.savedAlarms.map(\.tier) == [1])
        #expect(effects.savedAlarms.map(\.round) == [0])
        #expect(effects.savedAlarms.map(\.state) == [.raised])
        #expect(
            effects.audits.first
                == AuditEntry(
                    at: at, actor: "hub", action: .alarmEscalated, alarm: "A1",
                    detail: ["tier": "1", "round": "0", "reason": "unacknowledged"]))
        #expect(effects.recipientIDs == ["ns1", "ns2", "ns3", "sp1"])
        #expect(
            effects.notifications.map(\.key)
                == ["ns1", "ns2", "ns3", "sp1"].map { Fixture.key("A1", tier: 1, round: 0, $0) })
        #expect(effects.notifications.allSatisfy { $0.tier == 1 && $0.round == 0 && $0.recipient.kind == .staff })
        #expect(
            effects.notification(for: "sp1")?.body
                == "Alarm A1: fall hos Astrid Hansen, rom 101, kl. 03:00. Trinn 2. Kvitter i Vakt. Har ventet 2 min.")
        #expect(
            effects.audits.filter { $0.action == .notificationQueued }.map(\.recipient) == ["ns1", "ns2", "ns3", "sp1"])
        #expect(
            effects.schedules == [ScheduledTimer(id: "A1:escalate", alarm: "A1", purpose: .escalate, due: t0 + 420)])
        #expect(engine.openAlarms["A1"]?.tier == 1)
    }

    @Test("raise+420 s: tier 2 adds only next of kin who consented; then the last tier repeats every 300 s")
    func tierTwoAndRepeats() throws {
        var engine = Fixture.engine()
        var timer = try #require(engine.handle(Fixture.fall(101), at: t0).schedules.first)
        timer = try #require(engine.handle(.timer(timer.fire), at: timer.due).schedules.first)
        #expect(timer.due == t0 + 420)

        let tier2 = engine.handle(.timer(timer.fire), at: timer.due)
        #expect(tier2.savedAlarms.map(\.tier) == [2])
        #expect(tier2.recipientIDs == ["ns1", "ns2", "ns3", "sp1", "k101a", "k101b"])
        #expect(!tier2.recipientIDs.contains("k101c"))
        #expect(
            tier2.notification(for: "k101a")?.recipient
                == Recipient(id: "k101a", name: "Per Hansen", kind: .nextOfKin, address: "kin/k101a"))
        #expect(tier2.audits.first?.detail == ["tier": "2", "round": "0", "reason": "unacknowledged"])
        #expect(tier2.schedules.map(\.due) == [t0 + 720])
        timer = try #require(tier2.schedules.first)

        var keys = Set(tier2.notifications.map(\.key))
        for round in 1...4 {
            let due = t0 + 420 + Double(300 * round)
            #expect(timer.due == due)
            let effects = engine.handle(.timer(timer.fire), at: due)
            #expect(effects.savedAlarms.map(\.tier) == [2])
            #expect(effects.savedAlarms.map(\.round) == [round])
            #expect(
                effects.audits.first
                    == AuditEntry(
                        at: due, actor: "hub", action: .alarmEscalated, alarm: "A1",
                        detail: ["tier": "2", "round": "\(round)", "reason": "unacknowledged"]))
            #expect(effects.recipientIDs == ["ns1", "ns2", "ns3", "sp1", "k101a", "k101b"])
            #expect(
                effects.notifications.map(\.key)
                    == effects.recipientIDs.map { Fixture.key("A1", tier: 2, round: round, $0) })
            #expect(effects.notifications.allSatisfy { $0.round == round && $0.tier == 2 })
            #expect(
                effects.notification(for: "ns1")?.body.contains("Fortsatt ikke kvittert (gjentakelse \(round)).")
                    == true)
            #expect(
                effects.schedules == [
                    ScheduledTimer(id: "A1:escalate", alarm: "A1", purpose: .escalate, due: due + 300)
                ])
            for key in effects.notifications.map(\.key) {
                #expect(keys.insert(key).inserted, "key \(key) repeated an earlier round's key")
            }
            timer = try #require(effects.schedules.first)
        }
        #expect(engine.openAlarms["A1"]?.round == 4)
        #expect(engine.openAlarms["A1"]?.state == .raised)
    }

    @Test("each alarm escalates on its own timer")
    func alarmsEscalateIndependently() {
        var engine = Fixture.engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        _ = engine.handle(Fixture.fall(103), at: t0 + 60)
        let a1 = engine.handle(Fixture.escalationFire("A1"), at: t0 + 120)
        #expect(a1.savedAlarms.map(\.id) == ["A1"])
        #expect(engine.openAlarms["A2"]?.tier == 0)
        let a2 = engine.handle(Fixture.escalationFire("A2"), at: t0 + 180)
        #expect(a2.savedAlarms.map(\.id) == ["A2"])
        #expect(a2.schedules.map(\.due) == [t0 + 480])
        #expect(engine.openAlarms["A1"]?.tier == 1 && engine.openAlarms["A2"]?.tier == 1)
    }

    @Test("a timer for an alarm the engine does not know yields nothing")
    func unknownAlarmTimer() {
        var engine = Fixture.engine()
        #expect(engine.handle(Fixture.escalationFire("A42"), at: t0) == [])
    }

    @Test("a timer due while the hub was down escalates at once, and the record says how late")
    func lateTimer() throws {
        var engine = Fixture.engine()
        let timer = try #require(engine.handle(Fixture.fall(101), at: t0).schedules.first)
        // The hub was down from +60 s to +1 h: the timer fires at restart, 3,480 s late.
        let effects = engine.handle(.timer(timer.fire), at: t0 + 3600)
        #expect(effects.savedAlarms.map(\.tier) == [1])
        #expect(effects.audits.first?.detail["late_seconds"] == "3480")
        // On time (a second of scheduling slack is not late): no such detail.
        var onTime = Fixture.engine()
        let next = try #require(onTime.handle(Fixture.fall(101), at: t0).schedules.first)
        #expect(onTime.handle(.timer(next.fire), at: t0 + 121).audits.first?.detail["late_seconds"] == nil)
    }
}
