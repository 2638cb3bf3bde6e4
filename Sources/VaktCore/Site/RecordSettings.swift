import Foundation

/// How the audit log is kept: its chain-head checkpoints and how long records are kept.
public struct AuditSettings: Sendable, Equatable {
    /// Where the hub writes the chain head (a JSON file, replaced atomically); `nil`:
    /// `<data>/audit-checkpoint.json`. Best on another disk or a mounted share, so a removed
    /// tail cannot take its checkpoint with it.
    public var checkpointFile: String?
    /// How often the hub writes a checkpoint when the chain has grown, in seconds.
    public var checkpointInterval: Double
    /// How long audit records and closed alarms are kept, in seconds; `nil`: for ever.
    public var retention: Double?
    /// How long raw device messages (the event log) are kept, in seconds; `nil`: for ever.
    public var eventRetention: Double?
    /// A file holding the site secret that keys pseudonymised exports.
    public var pseudonymKeyFile: String?

    public init(
        checkpointFile: String? = nil, checkpointInterval: Double = 300, retention: Double? = nil,
        eventRetention: Double? = nil, pseudonymKeyFile: String? = nil
    ) {
        self.checkpointFile = checkpointFile
        self.checkpointInterval = checkpointInterval
        self.retention = retention
        self.eventRetention = eventRetention
        self.pseudonymKeyFile = pseudonymKeyFile
    }
}

/// A named part of the day in the site's time zone (day, evening, night), for reports.
public struct Shift: Sendable, Equatable {
    public var id: String
    /// Minutes after local midnight the shift starts.
    public var start: Int
    /// Minutes after local midnight it ends; at or before `start` means it ends the next day.
    public var end: Int

    public init(id: String, start: Int, end: Int) {
        self.id = id
        self.start = start
        self.end = end
    }

    /// Whether a local time of day (minutes after midnight) falls in the shift.
    public func contains(minute: Int) -> Bool {
        start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    /// The usual three shifts of Norwegian care homes.
    public static let standard = [
        Shift(id: "day", start: 7 * 60, end: 15 * 60),
        Shift(id: "evening", start: 15 * 60, end: 22 * 60),
        Shift(id: "night", start: 22 * 60, end: 7 * 60),
    ]
}

/// What response-time reports count against.
public struct ReportSettings: Sendable, Equatable {
    /// Shifts that together cover the day, in the order reports list them.
    public var shifts: [Shift]
    /// An alarm is late when acknowledged later than this after it was raised, in seconds.
    public var acknowledgeTarget: Double
    /// An alarm is late when staff were on site later than this after it was raised, in seconds.
    public var onsiteTarget: Double

    public init(shifts: [Shift] = Shift.standard, acknowledgeTarget: Double = 120, onsiteTarget: Double = 600) {
        self.shifts = shifts
        self.acknowledgeTarget = acknowledgeTarget
        self.onsiteTarget = onsiteTarget
    }

    /// The shift a local time of day belongs to (the first that contains it).
    public func shift(minute: Int) -> Shift? { shifts.first { $0.contains(minute: minute) } }
}
