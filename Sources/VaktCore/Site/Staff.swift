/// A member of staff who can be notified and can act on alarms.
public struct Staff: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var role: StaffRole
    /// Whether this person is on duty when the site has no roster; with a roster, the roster
    /// decides (`Site.onDuty(at:)`).
    public var onDuty: Bool
    public var contacts: [Contact]

    public init(id: String, name: String, role: StaffRole, onDuty: Bool = true, contacts: [Contact]) {
        self.id = id
        self.name = name
        self.role = role
        self.onDuty = onDuty
        self.contacts = contacts
    }
}

public enum StaffRole: String, Sendable, Equatable, CaseIterable, Codable {
    case nightStaff = "night-staff"
    case nurseInCharge = "nurse-in-charge"
    case dayStaff = "day-staff"
    case `operator` = "operator"
}

/// A named set of staff that escalation tiers notify together.
public struct StaffGroup: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var members: [String]

    public init(id: String, name: String, members: [String]) {
        self.id = id
        self.name = name
        self.members = members
    }
}
