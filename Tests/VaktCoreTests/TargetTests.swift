import Foundation
import Testing
import VaktCore

/// Escalation targets beyond groups: roles, everyone on duty, an external response centre,
/// and next of kin's quiet hours.
@Suite("Escalation targets")
struct TargetTests {
    let t0 = Fixture.t0  // 03:00 in Oslo

    func engine(_ tier: [Target], kinQuiet: Bool = true) -> Engine {
        var site = Fixture.site()
        site.channels.append(Channel(id: "alarmsentral", kind: .webhook, url: "http://127.0.0.1:9/sentral"))
        site.policies = [Policy(id: "standard", tiers: [Tier(afterSeconds: 0, notify: tier)], repeatSeconds: 300)]
        if kinQuiet {
            for index in site.residents.indices {
                site.residents[index].nextOfKin[0].quietHours = TimeWindow("22:00-07:00")
            }
        }
        return Engine(site: site)
    }

    @Test("roles, on duty, and the response centre each reach whom they say")
    func targets() {
        var byRole = engine([.role(.nightStaff, onDutyOnly: false)])
        #expect(byRole.handle(Fixture.fall(), at: t0).recipientIDs == ["ns1", "ns2", "ns3"])
        var onDuty = engine([.onDuty])
        #expect(onDuty.handle(Fixture.fall(), at: t0).recipientIDs == ["ns1", "ns2", "sp1"])
        var centre = engine([.external(channel: "alarmsentral", name: "Alarmsentralen")])
        let sent = centre.handle(Fixture.fall(), at: t0).notifications
        #expect(sent.map(\.channel) == ["alarmsentral"])
        #expect(sent.first?.recipient.kind == .external)
        #expect(sent.first?.alarmKind == "fall")
        #expect(sent.first?.title == "KRITISK: Fall – Marker bo- og servicesenter, Rom 101")
    }

    @Test("relatives in quiet hours are not woken, on record; critical alarms may override; by day they are told")
    func quietHours() {
        var quiet = engine([.nextOfKin(quietHoursOverride: nil)])
        let night = quiet.handle(Fixture.fall(), at: t0)
        // k101a is in quiet hours; k101b has none; k101c never consented.
        #expect(night.recipientIDs == ["k101b"])
        let withheld = night.audits.filter { $0.action == .notificationWithheld }
        #expect(withheld.map(\.recipient) == ["k101a"])
        #expect(withheld.first?.detail["reason"] == "quiet-hours")

        var override = engine([.nextOfKin(quietHoursOverride: .critical)])
        #expect(override.handle(Fixture.fall(), at: t0).recipientIDs == ["k101a", "k101b"])
        var notCritical = engine([.nextOfKin(quietHoursOverride: .critical)])
        #expect(notCritical.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0).recipientIDs == ["k101b"])

        var day = engine([.nextOfKin(quietHoursOverride: nil)])
        #expect(day.handle(Fixture.fall(), at: instant("2026-01-15T12:00:00Z")).recipientIDs == ["k101a", "k101b"])
    }
}
