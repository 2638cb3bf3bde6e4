import Foundation

/// What a rule must remember between inputs, kept in the store so a restart forgets nothing:
/// the recent events a counting rule has seen, the wait an absence rule started, the last
/// activity an inactivity rule saw in a room.
public struct RuleMemory: Sendable, Equatable, Codable, Identifiable {
    /// `count:<rule>:<dedup key>`, `absence:<rule>:<room>` or `activity:<rule>:<room>`.
    public var id: String
    public var rule: String
    /// Counting: the instants of the events in the window. Absence: when the wait started.
    /// Inactivity: the last activity seen (empty: none yet).
    public var instants: [Date]
    /// Absence: the device that started the wait (the alarm names it).
    public var device: String?
    /// Inactivity: the last day (`YYYY-MM-DD`) already checked.
    public var day: String?
    /// Inactivity: when the room's watch began (a day whose window began before it is not
    /// judged). `nil` in memories from before this was kept: watched long enough.
    public var since: Date?
    /// Inactivity: the resident the room's watch is for; a new one is watched afresh.
    public var resident: String?

    public init(
        id: String, rule: String, instants: [Date] = [], device: String? = nil, day: String? = nil, since: Date? = nil,
        resident: String? = nil
    ) {
        self.since = since
        self.resident = resident
        self.id = id
        self.rule = rule
        self.instants = instants
        self.device = device
        self.day = day
    }
}
