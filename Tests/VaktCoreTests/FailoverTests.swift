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

    @Test("a channel's rate limit holds back all but critical alarms to relatives, never to staff; latency is audited")
    func rateLimit() throws {
        var site = site()
        site.channels[1].rateLimit = RateLimit(max: 2, perSeconds: 3600)
        site.staff[0].contacts = [Contact(channel: "push", address: "ns1-a")]
        site.residents = site.residents.map { resident in
            var resident = resident
            resident.nextOfKin[1].contacts = [Contact(channel: "push", address: "kin-\(resident.id)")]
            return resident
        }
        // Tier 0 tells the night staff and the relatives.
        site.policies[0].tiers[0].notify.append(.nextOfKin)
        // Three alarms for r101 in a row: her relative k101b is told of two.
        var kin = Engine(site: site)
        let one = kin.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0)
        _ = kin.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "assisted"), at: t0 + 1)
        let two = kin.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0 + 2)
        _ = kin.handle(Fixture.command(.resolve, "A2", as: "ns1", outcome: "assisted"), at: t0 + 3)
        let three = kin.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0 + 4)
        #expect(one.recipientIDs.contains("k101b") && two.recipientIDs.contains("k101b"))
        #expect(!three.recipientIDs.contains("k101b"), "the relative's third message in the hour is held back")
        #expect(three.recipientIDs.contains("ns1"), "staff are never held back")
        let held = try #require(three.audits.first { $0.action == .notificationWithheld && $0.recipient == "k101b" })
        #expect(held.detail["reason"] == "rate-limit")
        // A critical one always goes through.
        _ = kin.handle(Fixture.command(.resolve, "A3", as: "ns1", outcome: "assisted"), at: t0 + 5)
        #expect(kin.handle(Fixture.fall(101), at: t0 + 6).recipientIDs.contains("k101b"))

        let sent = try #require(three.notifications.first)
        let delivered = kin.handle(
            .delivery(DeliveryReport(notification: sent, attempt: 1, result: .delivered, final: true, latency: 0.0421)),
            at: t0 + 7)
        #expect(delivered.audits.first?.detail["latency_ms"] == "42")
    }

    @Test(
        "a reminder fails over as that reminder; the holder's messages fail over too; a relative's not in quiet hours")
    func failoverKeepsItsMark() throws {
        var site = site()
        site.rules[0].renotifySeconds = 60
        var engine = Engine(site: site)
        _ = engine.handle(Fixture.fall(), at: t0)
        let reminder = engine.handle(Fixture.fall(), at: t0 + 90).notifications.first { $0.recipient.id == "ns1" }
        let push = try #require(reminder)
        #expect(push.key == "marker:A1:t0:r0:ns1:push:j1:c0")
        let failed = DeliveryReport(
            notification: push, attempt: 1, result: .failed(reason: "HTTP 400", retryable: false), final: true)
        #expect(
            engine.handle(.delivery(failed), at: t0 + 91).notifications.map(\.key) == ["marker:A1:t0:r0:ns1:sms:j1"])

        // Acknowledged by ns1: a second sensor's fall is told to ns1, and fails over too.
        _ = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns1"), at: t0 + 100)
        site.devices.append(Device(id: "room101-bath", profile: "test/fall-sensor", room: "101", topic: "z2m/bath"))
        var other = Engine(site: site, openAlarms: Array(engine.openAlarms.values), nextNumber: 2)
        let told = other.handle(Fixture.event(.fallDetected, "room101-bath"), at: t0 + 200).notifications
        #expect(told.map(\.channel) == ["push", "push"])
        let holderFailed = DeliveryReport(
            notification: told[0], attempt: 1, result: .failed(reason: "HTTP 400", retryable: false), final: true)
        #expect(other.handle(.delivery(holderFailed), at: t0 + 201).notifications.map(\.channel) == ["sms"])

        // A relative in quiet hours does not get the failover SMS for a high alarm.
        var quiet = Fixture.site()
        quiet.channels += site.channels.suffix(2)
        quiet.residents[0].nextOfKin[1].contacts = [
            Contact(channel: "push", address: "kin-a"), Contact(channel: "sms", address: "+4790000009"),
        ]
        quiet.residents[0].nextOfKin[1].quietHours = TimeWindow("22:00-07:00")
        var night = Engine(site: quiet)
        _ = night.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0 - 600)
        // Her push message of tier 2, failed for good at 03:00.
        let toKin = Notification(
            key: "marker:A1:t2:r0:k101b:push", alarm: "A1", tier: 2, round: 0, channel: "push",
            recipient: Recipient(id: "k101b", name: "Lise Hansen", kind: .nextOfKin, address: "kin-a"),
            severity: .high, alarmKind: "fall", room: "101", title: "", body: "")
        let kinFailed = DeliveryReport(
            notification: toKin, attempt: 1, result: .failed(reason: "HTTP 400", retryable: false), final: true)
        let withheld = night.handle(.delivery(kinFailed), at: t0)
        #expect(withheld.notifications.isEmpty)
        #expect(withheld.audits.contains { $0.action == .notificationWithheld && $0.detail["reason"] == "quiet-hours" })
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
