import Foundation

/// One alarm: raised by a device event, answered by a person, closed with an outcome.
public struct Alarm: Sendable, Equatable, Codable, Identifiable {
    /// `A<number>`, numbered per site in raise order.
    public var id: String
    /// The alarm kind from the rule (e.g. `fall`, `sos`).
    public var kind: String
    public var severity: Severity
    public var state: AlarmState
    public var resident: String?
    public var room: String
    public var device: String
    public var rule: String
    public var policy: String
    public var raisedAt: Date
    /// Last tier notified (0-based).
    public var tier: Int
    /// How many times the last tier has repeated.
    public var round: Int
    /// Events from the same device that joined this alarm after it was raised.
    public var repeats: Int
    public var lastEventAt: Date
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var onsiteAt: Date?
    public var onsiteBy: String?
    public var resolvedAt: Date?
    public var resolvedBy: String?
    public var outcome: String?
    public var note: String?
    /// When the escalation timer moves a raised alarm on next (the next tier, or a repeat of
    /// the last); `nil` once someone has acknowledged it.
    public var escalatesAt: Date?
    /// Who the current tier notified (staff and next-of-kin ids), in policy order.
    public var notified: [String]?
    /// Raised while its room was in test mode: a chain test. It goes to the test policy, never
    /// to next of kin, and is not a care event in any statistics. `nil` (stored by an older
    /// hub) means not a test.
    public var test: Bool?
    /// The deduplication key (`resident:r103:fall`): events with the same key join the open
    /// alarm. `nil` (stored by an older hub): the device and kind.
    public var key: String?
    /// When its tier was last notified because a repeat joined it (`renotify`).
    public var renotifiedAt: Date?
    /// How many times staff reopened it after it was resolved.
    public var reopened: Int?

    /// The deduplication key, also for alarms stored before keys existed.
    public var dedupKey: String { key ?? "device:\(device):\(kind)" + (isTest ? ":test" : "") }

    /// Whether this is a chain test rather than a real alarm.
    public var isTest: Bool { test == true }

    public init(
        id: String, kind: String, severity: Severity, state: AlarmState = .raised,
        resident: String?, room: String, device: String, rule: String, policy: String,
        raisedAt: Date, tier: Int = 0, round: Int = 0, repeats: Int = 0, lastEventAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.severity = severity
        self.state = state
        self.resident = resident
        self.room = room
        self.device = device
        self.rule = rule
        self.policy = policy
        self.raisedAt = raisedAt
        self.tier = tier
        self.round = round
        self.repeats = repeats
        self.lastEventAt = lastEventAt ?? raisedAt
    }

    /// The number in the id, used to continue numbering after a restart.
    public var number: Int? { Int(id.dropFirst()) }
}
