/// Which device events raise which alarm, how severe, and under which escalation policy.
///
/// Rules are checked in order; the first whose `events` contains the event's kind wins.
/// Events no rule matches are recorded but raise nothing (door openings, battery levels).
public struct Rule: Sendable, Equatable, Identifiable {
    public var id: String
    public var events: [EventKind]
    /// The alarm kind raised (e.g. `fall`, `sos`). Repeats of the same kind from the same
    /// device join the open alarm instead of raising another.
    public var alarm: String
    public var severity: Severity
    public var policy: String
    /// Events that show the cause is gone (`device.online` after `device.offline`): the open
    /// alarm this rule raised for the same device is resolved by the hub, with outcome
    /// `recovered`. Meant for technical alarms; a care alarm waits for a person.
    public var clears: [EventKind]

    public init(
        id: String, events: [EventKind], alarm: String, severity: Severity, policy: String, clears: [EventKind] = []
    ) {
        self.id = id
        self.events = events
        self.alarm = alarm
        self.severity = severity
        self.policy = policy
        self.clears = clears
    }

    /// The rule raises a technical alarm: it listens only to events about the equipment.
    public var isTechnical: Bool { events.allSatisfy(EventKind.technical.contains) }
}
