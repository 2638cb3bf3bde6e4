import Foundation

/// What the engine wants done. The runtime carries effects out; the engine never does I/O.
public enum Effect: Sendable, Equatable {
    /// Store the alarm's new state and publish its retained snapshot.
    case saveAlarm(Alarm)
    case audit(AuditEntry)
    /// Put a notification in the outbox.
    case enqueue(Notification)
    /// Arm (or re-arm, by id) a timer at an instant.
    case schedule(ScheduledTimer)
    case cancelTimer(id: String)
    /// Answer the person who sent a command.
    case reply(CommandReply)
    /// Store a device's or bridge's health and publish its status.
    case saveSource(SourceState)
    /// Store what a rule remembers (replacing the memory with the same id).
    case saveMemory(RuleMemory)
    case forgetMemory(id: String)
    /// Store a silence (replacing the one with the same id) and publish the list.
    case saveSilence(Silence)
    case endSilence(id: String)
    /// Move notifications waiting for their next attempt by this many seconds (the wall clock
    /// stepped; see ``ClockStep``): those with these keys, or every one (`nil`).
    case shiftPendingAttempts(seconds: Double, keys: Set<String>?)
}

/// A timer stored as its due instant, so it survives restarts.
public struct ScheduledTimer: Sendable, Equatable, Codable {
    public var id: String
    public var alarm: String
    public var purpose: TimerPurpose
    public var due: Date

    public init(id: String, alarm: String, purpose: TimerPurpose, due: Date) {
        self.id = id
        self.alarm = alarm
        self.purpose = purpose
        self.due = due
    }

    public var fire: TimerFire { TimerFire(id: id, alarm: alarm, purpose: purpose, due: due) }
}
