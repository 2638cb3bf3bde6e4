/// Everything that can change the engine's state. The runtime commits each input, and
/// everything the engine makes of it, in one transaction.
public enum Input: Sendable, Equatable {
    case device(DeviceEvent)
    case command(Command)
    case timer(TimerFire)
    case delivery(DeliveryReport)
}

/// A timer the engine asked for, now due.
public struct TimerFire: Sendable, Equatable {
    public var id: String
    public var alarm: String
    public var purpose: TimerPurpose

    public init(id: String, alarm: String, purpose: TimerPurpose) {
        self.id = id
        self.alarm = alarm
        self.purpose = purpose
    }
}

public enum TimerPurpose: String, Sendable, Equatable, Codable {
    /// Move an unacknowledged alarm to its next tier, or repeat the last.
    case escalate
}
