/// Which device events raise which alarm, how severe, and under which escalation policy.
///
/// Rules are checked in order; the first whose `events` contains the event's kind and whose
/// conditions (`match`, `when`) hold wins. Events no rule matches are recorded but raise
/// nothing (door openings by day, battery levels). Absence and inactivity rules do not take
/// part in that choice: they watch for what does *not* happen.
public struct Rule: Sendable, Equatable, Identifiable {
    public var id: String
    /// The events that raise (for an absence rule: that start the wait; for a counting rule:
    /// that are counted). Empty for an inactivity rule.
    public var events: [EventKind]
    /// The alarm kind raised (e.g. `fall`, `sos`).
    public var alarm: String
    public var severity: Severity
    public var policy: String
    /// Events that show the cause is gone (`device.online` after `device.offline`, a door
    /// closed): the open alarm this rule raised is resolved by the hub, with outcome
    /// `recovered`. Meant for technical alarms and doors; a fall waits for a person.
    public var clears: [EventKind]
    /// Which devices, rooms and residents the rule applies to, and what the event must say.
    public var match: RuleMatch
    /// Only at these times (in the site's time zone); `nil`: always.
    public var when: TimeWindow?
    /// How the rule fires.
    public var trigger: RuleTrigger
    /// What makes two events the same alarm: repeats with the same key join the open alarm.
    /// Defaults to the resident for care alarms, the device for technical alarms and for
    /// rules with `clears`.
    public var dedup: DedupScope
    /// After an alarm of this rule is resolved, events with the same key raise nothing for
    /// this long (they are recorded as suppressed). 0: none.
    public var holdOffSeconds: Double
    /// While the alarm is open and unacknowledged, repeats notify its current tier again, at
    /// most once per this many seconds (an open door). `nil`: repeats join silently.
    public var renotifySeconds: Double?

    public init(
        id: String, events: [EventKind], alarm: String, severity: Severity, policy: String, clears: [EventKind] = [],
        match: RuleMatch = RuleMatch(), when: TimeWindow? = nil, trigger: RuleTrigger = .event,
        dedup: DedupScope? = nil, holdOffSeconds: Double = 0, renotifySeconds: Double? = nil
    ) {
        self.id = id
        self.events = events
        self.alarm = alarm
        self.severity = severity
        self.policy = policy
        self.clears = clears
        self.match = match
        self.when = when
        self.trigger = trigger
        self.holdOffSeconds = holdOffSeconds
        self.renotifySeconds = renotifySeconds
        // Technical alarms and alarms their device's own event resolves (a door closing) are
        // about one device; care alarms about the resident.
        let perDevice = !clears.isEmpty || (!events.isEmpty && events.allSatisfy(EventKind.technical.contains))
        self.dedup = dedup ?? (perDevice ? .device : .resident)
    }

    /// The rule raises a technical alarm: it listens only to events about the equipment.
    public var isTechnical: Bool { !events.isEmpty && events.allSatisfy(EventKind.technical.contains) }

    /// The rule raises on the event itself (alone, or counted), rather than on an absence.
    public var raisesOnEvent: Bool {
        switch trigger {
        case .event, .count: true
        case .absence, .inactivity: false
        }
    }
}

/// Conditions on where an event comes from and what it says. Empty lists match anything;
/// within a list any entry matches; all lists must match.
public struct RuleMatch: Sendable, Equatable {
    /// The device's id.
    public var devices: [String]
    /// The device's room's tags.
    public var roomTags: [String]
    /// The tags of the resident living in the device's room.
    public var residentTags: [String]
    /// Values the event's decoded fields must have (`contact: "false"`).
    public var attributes: [String: String]

    public init(
        devices: [String] = [], roomTags: [String] = [], residentTags: [String] = [],
        attributes: [String: String] = [:]
    ) {
        self.devices = devices
        self.roomTags = roomTags
        self.residentTags = residentTags
        self.attributes = attributes
    }

    public var isEmpty: Bool { devices.isEmpty && roomTags.isEmpty && residentTags.isEmpty && attributes.isEmpty }

    /// Whether a device in a room, with that room's resident, passes (attributes aside).
    public func matches(device: String?, room: Room?, resident: Resident?) -> Bool {
        if !devices.isEmpty, !(device.map(devices.contains) ?? false) { return false }
        if !roomTags.isEmpty, !roomTags.contains(where: { room?.tags.contains($0) ?? false }) { return false }
        if !residentTags.isEmpty, !residentTags.contains(where: { resident?.tags.contains($0) ?? false }) {
            return false
        }
        return true
    }

    public func matches(detail: [String: String]) -> Bool {
        attributes.allSatisfy { detail[$0.key] == $0.value }
    }
}

/// How a rule turns events into an alarm.
public enum RuleTrigger: Sendable, Equatable {
    /// Each matching event raises (or joins) the alarm.
    case event
    /// `times` matching events within `withinSeconds` (same dedup key) raise it: three
    /// suspected falls within ten minutes are a suspected fall.
    case count(times: Int, withinSeconds: Double)
    /// A matching event starts a wait; unless one of `expect` comes from the same room within
    /// `withinSeconds`, the alarm is raised: a door opened and not closed within 5 minutes,
    /// out of bed and not back within 20.
    case absence(expect: [EventKind], withinSeconds: Double)
    /// Unless one of `expect` comes from the room between `from` and `by` each day, the alarm
    /// is raised at `by`: no activity by 09:00.
    case inactivity(expect: [EventKind], from: DailyTime, by: DailyTime)
}

/// What part of an alarm's origin makes it "the same alarm", together with its kind.
public enum DedupScope: String, Sendable, Equatable, CaseIterable {
    /// The resident (or, for a room with nobody in it, the room): a fall seen by two sensors
    /// is one fall.
    case resident
    case room
    case device
}

/// One resident's own version of a rule: off, or with another severity or policy.
public struct RuleOverride: Sendable, Equatable {
    public var disabled: Bool
    public var severity: Severity?
    public var policy: String?

    public init(disabled: Bool = false, severity: Severity? = nil, policy: String? = nil) {
        self.disabled = disabled
        self.severity = severity
        self.policy = policy
    }
}
