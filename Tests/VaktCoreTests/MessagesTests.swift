import Foundation
import Testing
import VaktCore

@Suite("Notification texts: privacy, language, local time")
struct MessagesTests {
    let t0 = Fixture.t0

    /// The tier-2 notifications of A1 (room 101), raised at `raise`.
    func tierTwo(language: Language = .norwegianBokmal, raise: Date = Fixture.t0) -> [Effect] {
        var engine = Fixture.engine(language: language)
        _ = engine.handle(Fixture.fall(101), at: raise)
        _ = engine.handle(Fixture.escalationFire("A1"), at: raise + 120)
        return engine.handle(Fixture.escalationFire("A1"), at: raise + 420)
    }

    @Test(
        "next of kin without health-detail consent: no alarm kind, no room, in title or body",
        arguments: Language.allCases)
    func kinWithoutHealthDetail(language: Language) throws {
        let n = try #require(tierTwo(language: language).notification(for: "k101a"))
        #expect(n.recipient.kind == .nextOfKin)
        for text in [n.title, n.body] {
            #expect(!text.contains("fall"))
            #expect(!text.contains("Fall"))
            #expect(!text.lowercased().contains("rom 101"))
            #expect(!text.contains("101"))
        }
        #expect(n.body.contains("Astrid Hansen"))
        #expect(!n.body.contains("03:00"))
    }

    @Test("next of kin without health-detail consent: the notification's own fields name no alarm kind or room")
    func kinWithoutHealthDetailStructuredFields() throws {
        // The webhook payload sends `alarmKind` and `room` next to the body (alarm.kind, alarm.room),
        // so a neutral body alone does not keep the health detail from the relative.
        let n = try #require(tierTwo().notification(for: "k101a"))
        #expect(n.alarmKind != "fall")
        #expect(n.room != "101")
        // A relative with consent may be told what it was.
        let detailed = try #require(tierTwo().notification(for: "k101b"))
        #expect(detailed.alarmKind == "fall")
    }

    @Test("next of kin with health-detail consent learn what happened and when")
    func kinWithHealthDetail() throws {
        let effects = tierTwo()
        let n = try #require(effects.notification(for: "k101b"))
        #expect(n.title == "Melding fra Marker bo- og servicesenter")
        #expect(n.body == "Fall registrert hos Astrid Hansen kl. 03:00. Personalet er varslet og følger opp.")
        #expect(
            effects.notification(for: "k101a")?.body
                == "Personalet følger opp en hendelse hos Astrid Hansen. Ta kontakt med Marker bo- og servicesenter ved spørsmål."
        )
    }

    @Test("English texts when the site's language is English")
    func english() throws {
        let effects = tierTwo(language: .english)
        let staff = try #require(effects.notification(for: "ns1"))
        #expect(staff.title == "CRITICAL: Fall – Rom 101")
        #expect(
            staff.body
                == "Alarm A1: fall for Astrid Hansen, rom 101, at 03:00. Tier 3. Acknowledge in Vakt. Waiting 7 min.")
        #expect(effects.notification(for: "k101a")?.title == "Message from Marker bo- og servicesenter")
        #expect(
            effects.notification(for: "k101a")?.body
                == "Staff are following up an event concerning Astrid Hansen. Contact Marker bo- og servicesenter with any questions."
        )
        #expect(
            effects.notification(for: "k101b")?.body
                == "Fall registered for Astrid Hansen at 03:00. Staff have been alerted and are following up.")

        var engine = Fixture.engine(language: .english)
        let sos = engine.handle(Fixture.event(.sos, "room102-sos"), at: t0)
        #expect(sos.notification(for: "ns2")?.title == "CRITICAL: SOS button – Rom 102")
        _ = engine.handle(Fixture.escalationFire("A1"), at: t0 + 120)
        _ = engine.handle(Fixture.escalationFire("A1"), at: t0 + 420)
        let repeated = engine.handle(Fixture.escalationFire("A1"), at: t0 + 720)
        #expect(repeated.notification(for: "sp1")?.body.contains("Tier 3. Still not acknowledged (repeat 1).") == true)
    }

    @Test(
        "texts show the raise time in Europe/Oslo, across both daylight-saving changes",
        arguments: [
            ("2026-03-29T00:30:00Z", "01:30"),  // CET, the night clocks go forward
            ("2026-03-29T00:59:00Z", "01:59"),
            ("2026-03-29T01:00:00Z", "03:00"),  // 02:00 CET never happens
            ("2026-03-29T01:30:00Z", "03:30"),
            ("2026-10-25T00:30:00Z", "02:30"),  // CEST, the night clocks go back
            ("2026-10-25T01:30:00Z", "02:30"),  // CET: the same wall-clock half hour again
            ("2026-10-25T02:15:00Z", "03:15"),
            ("2026-01-15T23:45:00Z", "00:45"),
            ("2026-07-01T22:05:00Z", "00:05"),
        ])
    func localTime(raisedAt: String, clock: String) throws {
        var engine = Fixture.engine()
        let raise = instant(raisedAt)
        let effects = engine.handle(Fixture.fall(101), at: raise)
        let n = try #require(effects.notification(for: "ns1"))
        #expect(n.body == "Alarm A1: fall hos Astrid Hansen, rom 101, kl. \(clock). Trinn 1. Kvitter i Vakt.")
        #expect(Messages(site: Fixture.site()).clock(raise) == clock)
        // Later tiers still show when it happened, not when they fire.
        let tier1 = engine.handle(Fixture.escalationFire("A1"), at: raise + 120)
        #expect(tier1.notification(for: "ns3")?.body.contains("kl. \(clock).") == true)
    }

    @Test("escalation timers are exact intervals in absolute time across the spring-forward hour")
    func timersIgnoreWallClock() {
        var engine = Fixture.engine()
        let raise = instant("2026-03-29T00:59:00Z")
        #expect(engine.handle(Fixture.fall(101), at: raise).schedules.map(\.due) == [instant("2026-03-29T01:01:00Z")])
    }
}
