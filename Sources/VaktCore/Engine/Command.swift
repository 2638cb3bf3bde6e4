/// A person's action on an alarm, as sent by the dashboard or `vakt ack|onsite|resolve`.
public struct Command: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Equatable, Codable, CaseIterable {
        case acknowledge = "ack"
        case onsite
        case resolve
        /// Open a resolved alarm again (it was resolved too early, or by mistake).
        case reopen
    }

    /// The sender's request id; the reply carries it back.
    public var id: String
    /// The staff id the command was sent as (from the command topic).
    public var staff: String
    public var action: Action
    public var alarm: String
    public var outcome: String?
    public var note: String?

    public init(
        id: String, staff: String, action: Action, alarm: String, outcome: String? = nil,
        note: String? = nil
    ) {
        self.id = id
        self.staff = staff
        self.action = action
        self.alarm = alarm
        self.outcome = outcome
        self.note = note
    }
}

/// The hub's answer to a command, published on `vakt/<site>/replies/<staff>`.
public struct CommandReply: Sendable, Equatable, Codable {
    public var id: String
    public var staff: String
    public var ok: Bool
    public var message: String
    public var alarm: Alarm?
    /// Why a command was refused, for screens that say it in the site's language:
    /// `unknown-staff`, `no-open-alarm`, `already-acknowledged`, `already-onsite`,
    /// `needs-outcome`, `not-reopenable`, `role-not-allowed`. `message` says the same in English.
    public var code: String?
    /// With `already-*`: who has the alarm.
    public var by: String?

    public init(
        id: String, staff: String, ok: Bool, message: String, alarm: Alarm? = nil, code: String? = nil,
        by: String? = nil
    ) {
        self.id = id
        self.staff = staff
        self.ok = ok
        self.message = message
        self.alarm = alarm
        self.code = code
        self.by = by
    }
}
