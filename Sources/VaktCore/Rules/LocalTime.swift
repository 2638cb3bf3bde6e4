import Foundation

/// A wall-clock time of day, `HH:MM`, in the site's time zone.
public struct DailyTime: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    public init(hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    /// Parses `HH:MM` (00:00 to 24:00; 24:00 is the end of the day).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hour = Int(parts[0]),
            let minute = Int(parts[1]), (0...24).contains(hour), (0..<60).contains(minute),
            hour < 24 || minute == 0
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    /// Minutes since midnight.
    public var minutes: Int { hour * 60 + minute }

    public var description: String { String(format: "%02d:%02d", hour, minute) }

    public static func < (a: DailyTime, b: DailyTime) -> Bool { a.minutes < b.minutes }
}

/// A day of the week, as written in config (`mon` ... `sun`).
public enum Weekday: String, Sendable, Equatable, CaseIterable, Codable {
    case mon, tue, wed, thu, fri, sat, sun

    /// From `Calendar`'s weekday number (1 = Sunday).
    init(calendarWeekday: Int) {
        self = [.sun, .mon, .tue, .wed, .thu, .fri, .sat][(calendarWeekday - 1) % 7]
    }
}

/// A calendar day at the site: `YYYY-MM-DD`, with its weekday.
public struct LocalDay: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, checking the day exists.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2],
            text.count == 10
        else { return nil }
        self.init(year: year, month: month, day: day)
        guard let noon = noonUTC, LocalDay(utc: noon) == self else { return nil }
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (a: LocalDay, b: LocalDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private var noonUTC: Date? {
        Self.utc.date(from: DateComponents(year: year, month: month, day: day, hour: 12))
    }

    private init(utc date: Date) {
        let parts = Self.utc.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0)
    }

    /// The day `days` later (earlier, if negative).
    public func adding(days: Int) -> LocalDay {
        guard let noon = noonUTC, let moved = Self.utc.date(byAdding: .day, value: days, to: noon) else { return self }
        return LocalDay(utc: moved)
    }

    public var weekday: Weekday {
        Weekday(calendarWeekday: noonUTC.map { Self.utc.component(.weekday, from: $0) } ?? 1)
    }
}

/// Wall-clock arithmetic in one time zone: which day and time an instant is, and the instant
/// a day's time of day falls on. Daylight-saving changes are handled by the calendar: a time
/// that does not exist that day (02:30 on the last Sunday of March in Oslo) is taken as the
/// first instant after the gap (03:00); a time that happens twice (02:30 in October) as the
/// first of the two.
public struct SiteCalendar: Sendable, Equatable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The site's day and time of day at `date`.
    public func local(_ date: Date) -> (day: LocalDay, time: DailyTime) {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return (
            LocalDay(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0),
            DailyTime(hour: parts.hour ?? 0, minute: parts.minute ?? 0)
        )
    }

    /// The instant `time` falls on, on `day`. 24:00 is the next day's midnight.
    public func instant(_ day: LocalDay, _ time: DailyTime) -> Date {
        if time.hour == 24 { return instant(day.adding(days: 1), DailyTime(hour: 0, minute: 0)) }
        let components = DateComponents(
            year: day.year, month: day.month, day: day.day, hour: time.hour, minute: time.minute)
        if let date = calendar.date(from: components), local(date).day == day, local(date).time == time {
            return date
        }
        // The time falls in a spring-forward gap: the first instant after it, found from the
        // day's first instant (which the calendar knows even where midnight itself is skipped).
        let noon = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12))
        var probe = calendar.startOfDay(for: noon ?? Date(timeIntervalSince1970: 0))
        let target = time.minutes
        while local(probe).day == day, local(probe).time.minutes < target {
            probe = probe.addingTimeInterval(60)
        }
        return probe
    }
}

/// A recurring stretch of wall-clock time: `from`-`to` (across midnight when `to` is earlier),
/// optionally only on some weekdays or dates. A window across midnight belongs to the day it
/// starts: "22:00-07:00 on fri" covers Friday night into Saturday morning.
public struct TimeWindow: Sendable, Equatable {
    public var from: DailyTime
    public var to: DailyTime
    /// Only windows starting on these weekdays; `nil`: every day.
    public var days: Set<Weekday>?
    /// Only windows starting on these dates; `nil`: any date. With `days`, either matches.
    public var dates: Set<LocalDay>?

    public init(from: DailyTime, to: DailyTime, days: Set<Weekday>? = nil, dates: Set<LocalDay>? = nil) {
        self.from = from
        self.to = to
        self.days = days
        self.dates = dates
    }

    /// Parses `HH:MM-HH:MM`.
    public init?(_ text: String, days: Set<Weekday>? = nil, dates: Set<LocalDay>? = nil) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let from = DailyTime(String(parts[0]).trimmingCharacters(in: .whitespaces)),
            let to = DailyTime(String(parts[1]).trimmingCharacters(in: .whitespaces))
        else { return nil }
        self.init(from: from, to: to, days: days, dates: dates)
    }

    /// The window runs past midnight into the next day.
    public var crossesMidnight: Bool { to <= from }

    private func startsOn(_ day: LocalDay) -> Bool {
        if days == nil && dates == nil { return true }
        return days?.contains(day.weekday) == true || dates?.contains(day) == true
    }

    /// The day the window that covers `date` started, or `nil` if no window covers it.
    public func start(covering date: Date, in calendar: SiteCalendar) -> LocalDay? {
        let (day, time) = calendar.local(date)
        if from == to { return startsOn(day) ? day : nil }
        if !crossesMidnight {
            return time >= from && time < to && startsOn(day) ? day : nil
        }
        if time >= from, startsOn(day) { return day }
        if time < to, startsOn(day.adding(days: -1)) { return day.adding(days: -1) }
        return nil
    }

    public func contains(_ date: Date, in calendar: SiteCalendar) -> Bool {
        start(covering: date, in: calendar) != nil
    }
}
