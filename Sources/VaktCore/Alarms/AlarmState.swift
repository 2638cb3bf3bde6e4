/// Where an alarm is in its life. Raised alarms escalate; any later state stops escalation.
public enum AlarmState: String, Sendable, Equatable, CaseIterable, Codable {
    /// Nobody has answered yet: escalation runs.
    case raised
    /// A person has taken it ("I'm taking it").
    case acknowledged
    /// A person is with the resident (tilstedeværelse).
    case onsite
    /// Closed with an outcome.
    case resolved

    public var isOpen: Bool { self != .resolved }
}
