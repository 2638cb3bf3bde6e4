/// A person Vakt watches over. Identified by a pseudonymous id; the display name is
/// shown to staff only.
public struct Resident: Sendable, Equatable, Identifiable {
    /// Pseudonymous id: carries no name, birth date or national identity number.
    public var id: String
    public var displayName: String
    public var room: String
    /// Tags rules can match on (e.g. `fall-risk`, `wandering-risk`).
    public var tags: [String]
    public var nextOfKin: [NextOfKin]
    /// This resident's own version of rules, by rule id (off, another severity or policy).
    public var ruleOverrides: [String: RuleOverride]

    public init(
        id: String, displayName: String, room: String, tags: [String] = [],
        nextOfKin: [NextOfKin] = [], ruleOverrides: [String: RuleOverride] = [:]
    ) {
        self.ruleOverrides = ruleOverrides
        self.id = id
        self.displayName = displayName
        self.room = room
        self.tags = tags
        self.nextOfKin = nextOfKin
    }
}

/// A relative (pårørende) and what the resident has consented to share with them.
public struct NextOfKin: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var relation: String?
    public var contacts: [Contact]
    /// The resident consents to this person being notified at all.
    public var consentNotify: Bool
    /// The resident consents to health detail (what happened) in those notifications.
    public var consentHealthDetail: Bool
    /// When this person is not to be woken (`22:00-07:00`), in the site's time zone; alarms
    /// at or above the target's `quietHoursOverride` severity still reach them.
    public var quietHours: TimeWindow?

    public init(
        id: String, name: String, relation: String? = nil, contacts: [Contact],
        consentNotify: Bool, consentHealthDetail: Bool = false, quietHours: TimeWindow? = nil
    ) {
        self.quietHours = quietHours
        self.id = id
        self.name = name
        self.relation = relation
        self.contacts = contacts
        self.consentNotify = consentNotify
        self.consentHealthDetail = consentHealthDetail
    }
}

/// One way to reach a person: a channel and, where the channel needs one, an address.
public struct Contact: Sendable, Equatable {
    /// The id of a configured `Channel`.
    public var channel: String
    /// Phone number, e-mail address or topic, as the channel expects; `nil` for channels
    /// that reach everyone at one endpoint (a webhook).
    public var address: String?

    public init(channel: String, address: String? = nil) {
        self.channel = channel
        self.address = address
    }
}
