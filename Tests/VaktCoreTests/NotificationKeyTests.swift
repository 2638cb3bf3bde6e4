import Foundation
import Testing
import VaktCore

@Suite("Idempotency keys")
struct NotificationKeyTests {
    let t0 = Fixture.t0

    @Test("keys are unique across a whole escalation, tiers and rounds")
    func uniqueAcrossEscalation() {
        var engine = Fixture.engine()
        var keys: [String] = engine.handle(Fixture.fall(101), at: t0).notifications.map(\.key)
        for due in [120.0, 420, 720, 1020, 1320] {
            keys += engine.handle(Fixture.escalationFire("A1"), at: t0 + due).notifications.map(\.key)
        }
        #expect(keys.count == 2 + 4 + 6 * 4)
        #expect(Set(keys).count == keys.count)
    }

    @Test("a person with two contacts on one channel gets two notifications with different keys")
    func twoContactsOneChannel() {
        // The outbox inserts with INSERT OR IGNORE on the key: equal keys mean the second
        // message is silently dropped.
        var site = Fixture.site()
        let index = site.staff.firstIndex { $0.id == "sp1" }!
        site.staff[index].contacts = [Fixture.webhook("staff/sp1-phone"), Fixture.webhook("staff/sp1-tablet")]
        var engine = Engine(site: site)
        _ = engine.handle(Fixture.fall(101), at: t0)
        let effects = engine.handle(Fixture.escalationFire("A1"), at: t0 + 120)
        let toNurse = effects.notifications.filter { $0.recipient.id == "sp1" }
        #expect(toNurse.map(\.recipient.address) == ["staff/sp1-phone", "staff/sp1-tablet"])
        #expect(Set(toNurse.map(\.key)).count == 2, "keys: \(toNurse.map(\.key))")
        // Keys of people with one contact per channel stay as they are.
        #expect(effects.notification(for: "ns1")?.key == Fixture.key("A1", tier: 1, round: 0, "ns1"))
    }
}
