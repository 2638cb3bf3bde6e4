import Foundation
import Testing
import VaktCore

/// Wall-clock windows and rosters in Europe/Oslo, on ordinary nights and on the two nights a
/// year the clocks change (2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00).
@Suite("Time windows and rosters across daylight saving")
struct TimeWindowTests {
    let calendar = SiteCalendar(timeZone: Fixture.oslo)

    @Test("a night window covers its hours, belongs to the day it starts, and respects weekdays")
    func nightWindow() throws {
        let night = try #require(TimeWindow("22:00-07:00", days: [.fri]))
        // Friday 2026-01-16 23:30 CET and Saturday 06:59 belong to Friday's night.
        #expect(night.start(covering: instant("2026-01-16T22:30:00Z"), in: calendar) == LocalDay("2026-01-16"))
        #expect(night.start(covering: instant("2026-01-17T05:59:00Z"), in: calendar) == LocalDay("2026-01-16"))
        // 07:00 is the end, exclusive; Saturday night is not Friday's.
        #expect(!night.contains(instant("2026-01-17T06:00:00Z"), in: calendar))
        #expect(!night.contains(instant("2026-01-17T22:30:00Z"), in: calendar))
        // Thursday night is not in it either, though it ends on a Friday morning.
        #expect(!night.contains(instant("2026-01-16T05:00:00Z"), in: calendar))
        let day = try #require(TimeWindow("07:00-22:00"))
        #expect(day.contains(instant("2026-01-16T06:00:00Z"), in: calendar))
        #expect(!day.contains(instant("2026-01-16T21:00:00Z"), in: calendar))
        let dated = TimeWindow(
            from: DailyTime(hour: 0, minute: 0), to: DailyTime(hour: 0, minute: 0),
            dates: [try #require(LocalDay("2026-12-24"))])
        #expect(dated.contains(instant("2026-12-24T22:59:00Z"), in: calendar))
        #expect(!dated.contains(instant("2026-12-24T23:00:00Z"), in: calendar))
    }

    @Test("parsing refuses what is not a time, a window or a date")
    func parsing() {
        #expect(DailyTime("7:05") == DailyTime(hour: 7, minute: 5))
        #expect(DailyTime("24:00") == DailyTime(hour: 24, minute: 0))
        for bad in ["24:01", "12:60", "1200", "12:5", "", "ab:cd"] { #expect(DailyTime(bad) == nil, "\(bad)") }
        #expect(TimeWindow("22:00-07:00")?.crossesMidnight == true)
        #expect(TimeWindow("22:00") == nil)
        #expect(LocalDay("2026-02-29") == nil)
        #expect(LocalDay("2028-02-29") != nil)
        #expect(LocalDay("2026-10-25")?.weekday == .sun)
    }

    @Test("the spring-forward night: 22:00-07:00 is 8 hours and 02:30 does not exist")
    func springForward() throws {
        let night = try #require(TimeWindow("22:00-07:00"))
        let march28 = try #require(LocalDay("2026-03-28"))
        #expect(calendar.instant(march28, DailyTime(hour: 22, minute: 0)) == instant("2026-03-28T21:00:00Z"))
        #expect(
            calendar.instant(march28.adding(days: 1), DailyTime(hour: 7, minute: 0)) == instant("2026-03-29T05:00:00Z"))
        // 01:59 CET is in; the next minute is 03:00 CEST, still in; 06:59 CEST in, 07:00 out.
        #expect(night.start(covering: instant("2026-03-29T00:59:00Z"), in: calendar) == march28)
        #expect(night.start(covering: instant("2026-03-29T01:00:00Z"), in: calendar) == march28)
        #expect(night.contains(instant("2026-03-29T04:59:00Z"), in: calendar))
        #expect(!night.contains(instant("2026-03-29T05:00:00Z"), in: calendar))
        // A time in the gap is taken as the first instant after it.
        #expect(
            calendar.instant(march28.adding(days: 1), DailyTime(hour: 2, minute: 30)) == instant("2026-03-29T01:00:00Z")
        )
    }

    @Test("the fall-back night: 22:00-07:00 is 10 hours and both 02:30s are in it")
    func fallBack() throws {
        let night = try #require(TimeWindow("22:00-07:00"))
        let october24 = try #require(LocalDay("2026-10-24"))
        for utc in ["2026-10-24T20:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T05:59:00Z"] {
            #expect(night.start(covering: instant(utc), in: calendar) == october24, "\(utc)")
        }
        #expect(!night.contains(instant("2026-10-25T06:00:00Z"), in: calendar))
        // 02:30 happens twice; the first is taken.
        #expect(
            calendar.instant(october24.adding(days: 1), DailyTime(hour: 2, minute: 30))
                == instant("2026-10-25T00:30:00Z"))
    }

    static let roster = Roster(
        shifts: [
            Roster.Shift(
                id: "day", name: "Dag", from: DailyTime(hour: 7, minute: 0), to: DailyTime(hour: 15, minute: 0)),
            Roster.Shift(
                id: "evening", name: "Kveld", from: DailyTime(hour: 15, minute: 0), to: DailyTime(hour: 22, minute: 0)),
            Roster.Shift(
                id: "night", name: "Natt", from: DailyTime(hour: 22, minute: 0), to: DailyTime(hour: 7, minute: 0)),
        ],
        assignments: [
            Roster.Assignment(shift: "day", staff: ["sp1"]),
            Roster.Assignment(shift: "night", staff: ["ns1", "ns2"]),
            Roster.Assignment(shift: "night", days: [.sat, .sun], staff: ["ns3"]),
            Roster.Assignment(shift: "night", dates: [LocalDay("2026-12-24")!], staff: ["ns3"]),
        ])

    @Test("rosters: who is on duty by shift, weekday and date, with shift lengths on both DST nights")
    func rosterDuties() throws {
        let roster = Self.roster
        // A Thursday night in January: the every-day night staff.
        #expect(roster.onDuty(at: instant("2026-01-15T02:00:00Z"), in: calendar) == ["ns1", "ns2"])
        // Saturday night: the weekend assignment is added.
        #expect(roster.onDuty(at: instant("2026-01-17T23:00:00Z"), in: calendar) == ["ns1", "ns2", "ns3"])
        // Christmas Eve night: the dated assignment replaces the others.
        #expect(roster.onDuty(at: instant("2026-12-24T23:00:00Z"), in: calendar) == ["ns3"])
        // Day shift; nobody is assigned the evening.
        #expect(roster.onDuty(at: instant("2026-01-15T09:00:00Z"), in: calendar) == ["sp1"])
        #expect(roster.onDuty(at: instant("2026-01-15T16:00:00Z"), in: calendar) == [])

        let night = roster.shifts[2]
        let march = roster.duty(night, day: try #require(LocalDay("2026-03-28")), in: calendar)
        #expect(march.end.timeIntervalSince(march.start) == 8 * 3600)
        let october = roster.duty(night, day: try #require(LocalDay("2026-10-24")), in: calendar)
        #expect(october.end.timeIntervalSince(october.start) == 10 * 3600)
        // The repeated hour belongs to the night of the 24th, a Saturday: three on duty, and
        // at 06:30 local after the change still the same shift.
        #expect(roster.onDuty(at: instant("2026-10-25T01:30:00Z"), in: calendar) == ["ns1", "ns2", "ns3"])
        #expect(roster.duties(at: instant("2026-10-25T05:30:00Z"), in: calendar).map(\.day) == [october.day])
        #expect(roster.duties(at: instant("2026-10-25T06:00:00Z"), in: calendar).map(\.shift.id) == ["day"])
    }

    @Test("the engine's on-duty targets follow the roster, not the staff flags")
    func engineUsesRoster() {
        var site = Fixture.site()
        site.roster = Self.roster
        var engine = Engine(site: site)
        // A Saturday night: ns3 (flag off duty) is on by the roster.
        let effects = engine.handle(Fixture.fall(), at: instant("2026-01-17T23:00:00Z"))
        #expect(effects.recipientIDs == ["ns1", "ns2", "ns3"])
        // A Thursday day shift: no night staff on duty, so tier 0 reaches nobody, and the
        // alarm goes straight on to tier 1 instead of waiting two minutes for nobody.
        var day = Engine(site: site)
        let dayEffects = day.handle(Fixture.fall(), at: instant("2026-01-15T09:00:00Z"))
        #expect(dayEffects.recipientIDs == ["ns1", "ns2", "ns3", "sp1"])
        #expect(
            dayEffects.audits.filter { $0.action == .alarmEscalated }.map { $0.detail["reason"] } == ["nobody-reached"])
        #expect(day.openAlarms["A1"]?.tier == 1)
        #expect(dayEffects.schedules.last?.due == instant("2026-01-15T09:00:00Z") + 300)
        #expect(site.staffOnDuty(at: instant("2026-01-15T09:00:00Z")).map(\.id) == ["sp1"])
    }
}
