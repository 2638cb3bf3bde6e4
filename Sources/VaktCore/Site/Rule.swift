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

    public init(id: String, events: [EventKind], alarm: String, severity: Severity, policy: String) {
        self.id = id
        self.events = events
        self.alarm = alarm
        self.severity = severity
        self.policy = policy
    }
}
