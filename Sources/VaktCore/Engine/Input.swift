import Foundation

/// Everything that can change the engine's state. The runtime commits each input, and
/// everything the engine makes of it, in one transaction.
public enum Input: Sendable, Equatable {
    /// One event, as if a device had reported it alone (tests, tools).
    case device(DeviceEvent)
    /// One message from a device or bridge, with the events decoded from it.
    case report(DeviceReport)
    /// A device or bridge said it is online or offline (zigbee2mqtt availability, a receiver's
    /// serial port going away), with the reason in words.
    case availability(source: String, online: Bool, reason: String)
    /// A message attributed to a device or bridge could not be read; counted on it.
    case rejected(source: String, reason: String)
    /// A bridge's list of its devices was checked against the configuration: the problem found
    /// for each device behind it (none listed: none found).
    case inventory(bridge: String, problems: [String: String])
    /// Time passed: check every supervised source's silence.
    case supervise
    case command(Command)
    /// Staff put a room in test mode, or take it out.
    case testMode(TestModeRequest)
    /// Staff silence a resident or room, or end a silence.
    case silence(SilenceRequest)
    case timer(TimerFire)
    case delivery(DeliveryReport)
    /// The wall clock stepped against the monotonic clock: every pending instant moves with it.
    case clockStepped(ClockStep)
}

/// A timer the engine asked for, now due.
public struct TimerFire: Sendable, Equatable {
    public var id: String
    public var alarm: String
    public var purpose: TimerPurpose
    /// When it was due; a fire well after it (the hub was down) is put on record as late.
    public var due: Date?

    public init(id: String, alarm: String, purpose: TimerPurpose, due: Date? = nil) {
        self.id = id
        self.alarm = alarm
        self.purpose = purpose
        self.due = due
    }
}

public enum TimerPurpose: String, Sendable, Equatable, Codable {
    /// Move an unacknowledged alarm to its next tier, or repeat the last.
    case escalate
    /// End a room's test mode (the timer's `alarm` is `room:<id>`).
    case testEnd = "test-end"
    /// An absence rule's wait is over (the timer's `alarm` is the rule memory's id).
    case absence
    /// A silence runs out (the timer's `alarm` is the silence's id).
    case silenceEnd = "silence-end"
}
