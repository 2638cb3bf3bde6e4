import Foundation
import Testing
import VaktCore

@Suite("Delivery reports")
struct DeliveryTests {
    let t0 = Fixture.t0

    /// An engine with A1 raised at t0, and the tier-0 notification for ns1.
    func raised() throws -> (Engine, Notification) {
        var engine = Fixture.engine()
        let effects = engine.handle(Fixture.fall(101), at: t0)
        return (engine, try #require(effects.notification(for: "ns1")))
    }

    func report(_ n: Notification, attempt: Int, _ result: DeliveryResult, final: Bool) -> Input {
        .delivery(DeliveryReport(notification: n, attempt: attempt, result: result, final: final))
    }

    @Test("delivered: audited as notification.delivered with the attempt and key")
    func delivered() throws {
        var (engine, n) = try raised()
        let before = engine.openAlarms
        let at = t0 + 2
        let effects = engine.handle(report(n, attempt: 1, .delivered, final: true), at: at)
        #expect(
            effects == [
                .audit(
                    AuditEntry(
                        at: at, actor: "channel:webhook", action: .notificationDelivered, alarm: "A1",
                        channel: "webhook",
                        recipient: "ns1", result: "delivered",
                        detail: ["attempt": "1", "key": Fixture.key("A1", tier: 0, round: 0, "ns1")]))
            ])
        #expect(engine.openAlarms == before)
    }

    @Test("a failure that will be retried is audited as notification.retrying and changes nothing")
    func retrying() throws {
        var (engine, n) = try raised()
        let before = engine.openAlarms
        let at = t0 + 4
        let effects = engine.handle(
            report(n, attempt: 2, .failed(reason: "HTTP 503", retryable: true), final: false), at: at)
        #expect(
            effects == [
                .audit(
                    AuditEntry(
                        at: at, actor: "channel:webhook", action: .notificationRetrying, alarm: "A1",
                        channel: "webhook",
                        recipient: "ns1", result: "failed",
                        detail: ["attempt": "2", "key": n.key, "reason": "HTTP 503"]))
            ])
        #expect(engine.openAlarms == before)
    }

    @Test("a final failure at the current tier is audited and escalates at once to the next tier")
    func finalFailureEscalates() throws {
        var (engine, n) = try raised()
        let at = t0 + 60
        let effects = engine.handle(
            report(n, attempt: 8, .failed(reason: "HTTP 404", retryable: false), final: true), at: at)
        #expect(
            effects.audits.first
                == AuditEntry(
                    at: at, actor: "channel:webhook", action: .notificationFailed, alarm: "A1", channel: "webhook",
                    recipient: "ns1", result: "failed", detail: ["attempt": "8", "key": n.key, "reason": "HTTP 404"]))
        #expect(effects.auditActions.prefix(2) == [.notificationFailed, .alarmEscalated])
        #expect(effects.audits[1].detail == ["tier": "1", "round": "0", "reason": "notification-failed"])
        #expect(effects.audits[1].at == at)
        #expect(effects.savedAlarms.map(\.tier) == [1])
        #expect(effects.recipientIDs == ["ns1", "ns2", "ns3", "sp1"])
        #expect(
            effects.schedules == [ScheduledTimer(id: "A1:escalate", alarm: "A1", purpose: .escalate, due: at + 300)])
        #expect(engine.openAlarms["A1"]?.tier == 1)

        // The second tier-0 notification failing as well does not skip another tier.
        let ns2 = Notification(
            key: Fixture.key("A1", tier: 0, round: 0, "ns2"), alarm: "A1", tier: 0, round: 0, channel: "webhook",
            recipient: Recipient(id: "ns2", name: "Jonas Nattevakt", kind: .staff, address: "staff/ns2"),
            severity: .critical, alarmKind: "fall", room: "101", title: n.title, body: n.body)
        let second = engine.handle(
            report(ns2, attempt: 8, .failed(reason: "HTTP 404", retryable: false), final: true), at: at + 1)
        #expect(second.auditActions == [.notificationFailed])
        #expect(engine.openAlarms["A1"]?.tier == 1)
    }

    @Test("a final failure for an older tier does not escalate")
    func olderTierFailureDoesNotEscalate() throws {
        var (engine, n) = try raised()
        _ = engine.handle(Fixture.escalationFire("A1"), at: t0 + 120)
        let effects = engine.handle(
            report(n, attempt: 8, .failed(reason: "timeout", retryable: true), final: true), at: t0 + 130)
        #expect(effects.auditActions == [.notificationFailed])
        #expect(effects.savedAlarms.isEmpty && effects.notifications.isEmpty && effects.schedules.isEmpty)
        #expect(engine.openAlarms["A1"]?.tier == 1)
    }

    @Test("a final failure on the last tier is recorded and starts no new round: its own repeat goes on")
    func lastTierRounds() throws {
        var engine = Fixture.engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        _ = engine.handle(Fixture.escalationFire("A1"), at: t0 + 120)
        let round0 = try #require(engine.handle(Fixture.escalationFire("A1"), at: t0 + 420).notification(for: "k101b"))
        let round1 = try #require(engine.handle(Fixture.escalationFire("A1"), at: t0 + 720).notification(for: "k101b"))
        let failed = DeliveryResult.failed(reason: "HTTP 410", retryable: false)

        let stale = engine.handle(report(round0, attempt: 3, failed, final: true), at: t0 + 730)
        #expect(stale.auditActions == [.notificationFailed])
        #expect(stale.audits.first?.recipient == "k101b")

        // One bad number would otherwise start round after round, each failing at once.
        let current = engine.handle(report(round1, attempt: 3, failed, final: true), at: t0 + 740)
        #expect(current.auditActions == [.notificationFailed])
        #expect(current.savedAlarms.isEmpty && current.notifications.isEmpty)
        #expect(engine.openAlarms["A1"]?.round == 1)
        #expect(engine.openAlarms["A1"]?.escalatesAt == t0 + 1020)
    }

    @Test("a final failure after acknowledge is recorded but does not escalate")
    func failureAfterAck() throws {
        var (engine, n) = try raised()
        _ = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns2"), at: t0 + 10)
        let effects = engine.handle(
            report(n, attempt: 8, .failed(reason: "HTTP 500", retryable: true), final: true), at: t0 + 20)
        #expect(effects.auditActions == [.notificationFailed])
        #expect(engine.openAlarms["A1"]?.state == .acknowledged)
    }

    @Test("reports for a resolved alarm are still audited")
    func reportAfterResolve() throws {
        var (engine, n) = try raised()
        _ = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "accidental"), at: t0 + 10)
        let effects = engine.handle(report(n, attempt: 1, .delivered, final: true), at: t0 + 11)
        #expect(effects.auditActions == [.notificationDelivered])
        #expect(engine.openAlarms.isEmpty)
    }
}
