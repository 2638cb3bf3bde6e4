import Foundation
import Testing
import VaktCore

/// A person's channels in order: the first is used, the next only when it fails for good.
@Suite("Notification failover")
struct FailoverTests {
    let t0 = Fixture.t0

    func site() -> Site {
        var site = Fixture.site()
        site.channels += [
            Channel(id: "push", kind: .ntfy, url: "http://127.0.0.1:9/"),
            Channel(id: "sms", kind: .sms, url: "http://127.0.0.1:9/", smsPreset: .jsonBearer, token: "env:T"),
        ]
        // ns1: push on two phones, then SMS; the others keep their webhook.
        site.staff[0].contacts = [
            Contact(channel: "push", address: "ns1-a"), Contact(channel: "push", address: "ns1-b"),
            Contact(channel: "sms", address: "+4790000001"),
        ]
        return site
    }

    @Test("a channel's rate limit holds back all but critical alarms, on record; the audit has each attempt's latency")
    func rateLimit() throws {
        var site = site()
        site.channels[1].rateLimit = RateLimit(max: 2, perSeconds: 3600)
        site.staff[0].contacts = [Contact(channel: "push", address: "ns1-a")]
        var engine = Engine(site: site)
        // High alarms: two reach ns1, the third is held back.
        for room in [101, 102, 103] {
            _ = engine.handle(Fixture.event(.fallSuspected, "room\(room)-fall"), at: t0 + Double(room))
        }
        let third = engine.handle(Fixture.event(.fallSuspected, "room104-fall"), at: t0 + 200)
        #expect(!third.recipientIDs.contains("ns1"))
        let held = try #require(third.audits.first { $0.action == .notificationWithheld })
        #expect(held.recipient == "ns1" && held.detail["reason"] == "rate-limit")
        // A critical one always goes through.
        #expect(engine.handle(Fixture.fall(105), at: t0 + 210).recipientIDs.contains("ns1"))
        // An hour on, the window has room again.
        #expect(
            engine.handle(Fixture.event(.fallSuspected, "room106-fall"), at: t0 + 3800).recipientIDs.contains("ns1"))

        let sent = try #require(third.notifications.first)
        let delivered = engine.handle(
            .delivery(DeliveryReport(notification: sent, attempt: 1, result: .delivered, final: true, latency: 0.0421)),
            at: t0 + 201)
        #expect(delivered.audits.first?.detail["latency_ms"] == "42")
    }

    @Test("the first channel only; a final failure there moves to the next, not up a tier")
    func failsOverToTheNextChannel() throws {
        var engine = Engine(site: site())
        let raised = engine.handle(Fixture.fall(), at: t0)
        let toNs1 = raised.notifications.filter { $0.recipient.id == "ns1" }
        #expect(toNs1.map(\.channel) == ["push", "push"])
        #expect(toNs1.map(\.key) == ["marker:A1:t0:r0:ns1:push:c0", "marker:A1:t0:r0:ns1:push:c1"])
        let failed = DeliveryReport(
            notification: toNs1[0], attempt: 8, result: .failed(reason: "timeout", retryable: true), final: true)
        let next = engine.handle(.delivery(failed), at: t0 + 60)
        #expect(next.notifications.map(\.key) == ["marker:A1:t0:r0:ns1:sms"])
        #expect(next.notifications.first?.recipient.address == "+4790000001")
        #expect(next.audits.first { $0.action == .notificationQueued }?.detail["failover_from"] == "push")
        #expect(!next.auditActions.contains(.alarmEscalated))
        #expect(engine.openAlarms["A1"]?.tier == 0)
        // The last channel failing too is a reason to escalate.
        let smsFailed = DeliveryReport(
            notification: next.notifications[0], attempt: 1, result: .failed(reason: "HTTP 400", retryable: false),
            final: true)
        let escalated = engine.handle(.delivery(smsFailed), at: t0 + 70)
        #expect(escalated.auditActions.contains(.alarmEscalated))
        #expect(engine.openAlarms["A1"]?.tier == 1)
    }
}
