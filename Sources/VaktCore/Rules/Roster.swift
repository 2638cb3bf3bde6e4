import Foundation

/// Who works when: shifts (day, evening, night) in the site's wall-clock time, and who is on
/// each shift, every day, on some weekdays, or on a given date.
///
/// A shift belongs to the day it starts: the night shift of 24 December runs 22:00 on the
/// 24th to 07:00 on the 25th. On the nights the clocks change it is an hour shorter or
/// longer, as the staff working it experience it.
public struct Roster: Sendable, Equatable {
    public var shifts: [Shift]
    public var assignments: [Assignment]

    public init(shifts: [Shift], assignments: [Assignment]) {
        self.shifts = shifts
        self.assignments = assignments
    }

    public struct Shift: Sendable, Equatable, Identifiable {
        public var id: String
        public var name: String
        public var from: DailyTime
        public var to: DailyTime

        public init(id: String, name: String, from: DailyTime, to: DailyTime) {
            self.id = id
            self.name = name
            self.from = from
            self.to = to
        }

        var window: TimeWindow { TimeWindow(from: from, to: to) }
    }

    /// Staff on a shift. With neither `days` nor `dates`, every day; a dated assignment
    /// replaces the others for that shift on that date (Christmas Eve, a swap).
    public struct Assignment: Sendable, Equatable {
        public var shift: String
        public var days: Set<Weekday>?
        public var dates: Set<LocalDay>?
        public var staff: [String]

        public init(shift: String, days: Set<Weekday>? = nil, dates: Set<LocalDay>? = nil, staff: [String]) {
            self.shift = shift
            self.days = days
            self.dates = dates
            self.staff = staff
        }
    }

    /// One shift as worked on one day.
    public struct Duty: Sendable, Equatable {
        public var shift: Shift
        public var day: LocalDay
        public var start: Date
        public var end: Date
        public var staff: [String]
    }

    /// The staff on `shift` when it starts on `day`.
    public func staff(on shift: Shift, day: LocalDay) -> [String] {
        let dated = assignments.filter { $0.shift == shift.id && $0.dates?.contains(day) == true }
        let chosen =
            dated.isEmpty
            ? assignments.filter {
                $0.shift == shift.id && $0.dates == nil && ($0.days?.contains(day.weekday) ?? true)
            } : dated
        var seen = Set<String>()
        return chosen.flatMap(\.staff).filter { seen.insert($0).inserted }
    }

    /// The shifts running at `date`, with who works them.
    public func duties(at date: Date, in calendar: SiteCalendar) -> [Duty] {
        shifts.compactMap { shift in
            guard let day = shift.window.start(covering: date, in: calendar) else { return nil }
            return duty(shift, day: day, in: calendar)
        }
    }

    /// `shift` as worked on `day`, with its instants.
    public func duty(_ shift: Shift, day: LocalDay, in calendar: SiteCalendar) -> Duty {
        let start = calendar.instant(day, shift.from)
        let end = calendar.instant(shift.window.crossesMidnight ? day.adding(days: 1) : day, shift.to)
        return Duty(shift: shift, day: day, start: start, end: end, staff: staff(on: shift, day: day))
    }

    /// Staff ids on duty at `date`, once each, in shift order.
    public func onDuty(at date: Date, in calendar: SiteCalendar) -> [String] {
        var seen = Set<String>()
        return duties(at: date, in: calendar).flatMap(\.staff).filter { seen.insert($0).inserted }
    }
}
