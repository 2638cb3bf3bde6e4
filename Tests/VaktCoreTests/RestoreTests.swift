import Foundation
import Testing
import VaktCore

@Suite("Restoring state and determinism")
struct RestoreTests {
    let t0 = Fixture.t0

    func a7() -> Alarm {
        Alarm(
            id: "A7", kind: "fall", severity: .critical, resident: "r105", room: "105", device: "room105-fall",
            rule: "fall", policy: "standard", raisedAt: t0 - 600, tier: 2, round: 0)
    }

    @Test("with open alarm A7 restored, the next raise is A8 and A7 can be acknowledged")
    func restoreContinuesNumbering() {
        var engine = Engine(site: Fixture.site(), openAlarms: [a7()], nextNumber: 1)
        #expect(engine.nextNumber == 8)
        // Stored without a dedup key (as before keys existed), it is restored with its rule's.
        var keyed = a7()
        keyed.key = "resident:r105:fall"
        #expect(engine.openAlarms == ["A7": keyed])

        let raised = engine.handle(Fixture.fall(101), at: t0)
        #expect(raised.savedAlarms.map(\.id) == ["A8"])

        let ack = engine.handle(Fixture.command(.acknowledge, "A7", as: "ns1"), at: t0 + 5)
        #expect(ack.replies.map(\.ok) == [true])
        #expect(ack.cancelledTimers == ["A7:escalate"])
        #expect(engine.openAlarms["A7"]?.state == .acknowledged)
        #expect(engine.openAlarms["A7"]?.acknowledgedBy == "ns1")
    }

    @Test("a stored next number above the open alarms wins (resolved alarms used the numbers between)")
    func storedNumberWins() {
        var engine = Engine(site: Fixture.site(), openAlarms: [a7()], nextNumber: 12)
        #expect(engine.handle(Fixture.fall(101), at: t0).savedAlarms.map(\.id) == ["A12"])
    }

    @Test("a restored raised alarm repeats its last tier when its timer fires")
    func restoredAlarmEscalates() {
        var engine = Engine(site: Fixture.site(), openAlarms: [a7()], nextNumber: 8)
        let effects = engine.handle(Fixture.escalationFire("A7"), at: t0)
        #expect(effects.savedAlarms.map(\.round) == [1])
        #expect(effects.recipientIDs == ["ns1", "ns2", "ns3", "sp1", "k105a", "k105b"])
        #expect(effects.schedules.map(\.due) == [t0 + 300])
    }

    /// A night's worth of inputs at fixed instants.
    func script() -> [(Input, Date)] {
        let ns1Tier0 = Notification(
            key: Fixture.key("A1", tier: 0, round: 0, "ns1"), alarm: "A1", tier: 0, round: 0, channel: "webhook",
            recipient: Recipient(id: "ns1", name: "Siri Nattevakt", kind: .staff, address: "staff/ns1"),
            severity: .critical, alarmKind: "fall", room: "101", title: "t", body: "b")
        return [
            (Fixture.event(.fallSuspected, "room101-fall"), t0),
            (Fixture.fall(101), t0 + 3),
            (Fixture.event(.sos, "room102-sos"), t0 + 20),
            (Fixture.event(.doorOpened, "room103-door"), t0 + 25),
            (
                .delivery(
                    DeliveryReport(
                        notification: ns1Tier0, attempt: 8, result: .failed(reason: "x", retryable: false), final: true)
                ), t0 + 40
            ),
            (Fixture.escalationFire("A2"), t0 + 140),
            (Fixture.command(.acknowledge, "A2", as: "ns2"), t0 + 150),
            (Fixture.command(.acknowledge, "A2", as: "ns1", id: "c2"), t0 + 151),
            (Fixture.escalationFire("A1"), t0 + 340),
            (Fixture.escalationFire("A1"), t0 + 640),
            (Fixture.command(.onsite, "A1", as: "ns3"), t0 + 700),
            (Fixture.command(.resolve, "A1", as: "ns3", outcome: "medical", note: "Legevakt"), t0 + 900),
            (Fixture.fall(101), t0 + 960),
        ]
    }

    @Test("the same inputs at the same instants give identical effects")
    func deterministic() {
        var first = Fixture.engine()
        var second = Fixture.engine()
        let a = script().map { first.handle($0.0, at: $0.1) }
        let b = script().map { second.handle($0.0, at: $0.1) }
        #expect(a == b)
        #expect(first.openAlarms == second.openAlarms)
        #expect(first.nextNumber == second.nextNumber)
        #expect(first.nextNumber == 4)
        #expect(a[3] == [])  // the door event raises nothing
    }
}
