/// An escalation policy: ordered tiers, each notifying more people, until someone
/// acknowledges the alarm.
public struct Policy: Sendable, Equatable, Identifiable {
    public var id: String
    public var tiers: [Tier]
    /// Seconds between repeats of the last tier while the alarm stays unacknowledged.
    public var repeatSeconds: Double

    public init(id: String, tiers: [Tier], repeatSeconds: Double) {
        self.id = id
        self.tiers = tiers
        self.repeatSeconds = repeatSeconds
    }
}

/// One escalation step.
public struct Tier: Sendable, Equatable {
    /// Seconds after the previous tier (after the raise, for tier 0) before this tier fires.
    public var afterSeconds: Double
    public var notify: [Target]

    public init(afterSeconds: Double, notify: [Target]) {
        self.afterSeconds = afterSeconds
        self.notify = notify
    }
}

/// Whom a tier notifies.
public enum Target: Sendable, Equatable {
    /// The members of a staff group; with `onDutyOnly`, only those on the current shift.
    case group(String, onDutyOnly: Bool)
    /// Every member of staff with a role; with `onDutyOnly`, only those on the current shift.
    case role(StaffRole, onDutyOnly: Bool)
    /// Everyone on the current shift, by the roster.
    case onDuty
    /// One member of staff.
    case staff(String)
    /// The resident's next of kin who consented to be notified, outside their quiet hours
    /// unless the alarm is at least `quietHoursOverride` severe.
    case nextOfKin(quietHoursOverride: Severity?)
    /// An external response centre (alarmsentral) reached through a channel of its own.
    case external(channel: String, name: String)

    /// Next of kin whose quiet hours hold back everything.
    public static let nextOfKin = Target.nextOfKin(quietHoursOverride: nil)
}
