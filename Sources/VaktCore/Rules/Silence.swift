import Foundation

/// A resident away (hospital, holiday) or a room in maintenance: matching alarms are not
/// raised for a while. Who set it, why, and its end are in the audit; it ends on its own.
public struct Silence: Sendable, Equatable, Codable, Identifiable {
    public var id: String
    /// The resident silenced (every alarm attributed to them), or `nil` with `room`.
    public var resident: String?
    /// The room silenced (every alarm from its devices), or `nil` with `resident`.
    public var room: String?
    /// Only these alarm kinds; `nil`: every kind the site allows to be silenced.
    public var kinds: [String]?
    public var from: Date
    public var until: Date
    /// The staff id who set it.
    public var by: String
    public var reason: String
    /// `true` when it was set to end at a given time (`until`), which stays put when the wall
    /// clock steps; `nil` when it was set for a length of time, which moves with the clock.
    public var fixedEnd: Bool?

    public init(
        id: String, resident: String?, room: String?, kinds: [String]? = nil, from: Date, until: Date, by: String,
        reason: String, fixedEnd: Bool? = nil
    ) {
        self.fixedEnd = fixedEnd
        self.id = id
        self.resident = resident
        self.room = room
        self.kinds = kinds
        self.from = from
        self.until = until
        self.by = by
        self.reason = reason
    }

    /// The silence as JSON for the wire and `vakt silence list --json`.
    public func wireObject(in zone: TimeZone) -> [String: Any] {
        [
            "id": id, "resident": resident ?? NSNull(), "room": room ?? NSNull(), "kinds": kinds ?? NSNull(),
            "from": RFC3339.string(from: from, in: zone), "until": RFC3339.string(from: until, in: zone), "by": by,
            "reason": reason,
        ]
    }

    /// What it covers, in words for people: "resident r103" or "room 104".
    public var subject: String { resident.map { "resident \($0)" } ?? "room \(room ?? "")" }

    /// Whether it holds back an alarm of `kind` for `resident` in `room` at `date`.
    public func covers(kind: String, resident: String?, room: String, at date: Date) -> Bool {
        guard date >= from, date < until else { return false }
        if let kinds, !kinds.contains(kind) { return false }
        if let own = self.resident { return own == resident }
        return self.room == room
    }
}

/// Who may silence, what never can be, and for how long at most.
public struct SilenceSettings: Sendable, Equatable {
    /// Staff roles allowed to set and end silences.
    public var roles: [StaffRole]
    /// Alarm kinds no silence holds back (a fire in an empty flat still matters).
    public var never: [String]
    /// The longest a silence may last, in seconds.
    public var maxSeconds: Double

    public init(
        roles: [StaffRole] = [.nurseInCharge, .operator], never: [String] = ["smoke"],
        maxSeconds: Double = 60 * 86400
    ) {
        self.roles = roles
        self.never = never
        self.maxSeconds = maxSeconds
    }
}

/// Staff silencing a resident or room, or ending a silence, as `vakt silence` sends it on
/// `vakt/<site>/commands/<staff>`:
/// `{"id": "<request id>", "action": "silence", "resident": "r103", "minutes": 4320,
///   "reason": "sykehusinnleggelse", "kinds": ["inactivity"]}` (or `"room"`, or `"until"` as
/// RFC 3339), and `{"id": "...", "action": "unsilence", "silence": "S1700000000"}`.
public struct SilenceRequest: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case start(resident: String?, room: String?, kinds: [String]?, until: Date?, seconds: Double?, reason: String)
        case end(silence: String)
    }

    public var id: String
    public var staff: String
    public var change: Change

    public init(id: String, staff: String, change: Change) {
        self.id = id
        self.staff = staff
        self.change = change
    }

    /// Parses a silence request; `nil` when the payload is not one (another command).
    public static func parse(_ bytes: [UInt8], staff: String) -> Result<SilenceRequest, CommandPayload.Problem>? {
        guard bytes.count <= CommandPayload.maximumBytes, let object = WireJSON.object(bytes),
            let action = object["action"] as? String, action == "silence" || action == "unsilence"
        else { return nil }
        guard let id = object["id"] as? String, !id.isEmpty else {
            return .failure(CommandPayload.Problem(requestID: nil, reason: "command has no string \"id\""))
        }
        func fail(_ reason: String) -> Result<SilenceRequest, CommandPayload.Problem> {
            .failure(CommandPayload.Problem(requestID: id, reason: reason))
        }
        if action == "unsilence" {
            guard let silence = object["silence"] as? String, !silence.isEmpty else {
                return fail("unsilence needs a string \"silence\" (the silence's id)")
            }
            return .success(SilenceRequest(id: id, staff: staff, change: .end(silence: silence)))
        }
        let resident = (object["resident"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let room = (object["room"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        guard (resident == nil) != (room == nil) else {
            return fail("silence needs a string \"resident\" or a string \"room\", not both")
        }
        guard let reason = object["reason"] as? String, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            return fail("silence needs a \"reason\" (it goes in the audit)")
        }
        var kinds: [String]?
        if let value = object["kinds"] {
            guard let list = value as? [String], !list.isEmpty else {
                return fail("\"kinds\" must be a non-empty list of alarm kinds")
            }
            kinds = list
        }
        var seconds: Double?
        var until: Date?
        if let minutes = object["minutes"] {
            guard let number = minutes as? Double, number > 0, number.isFinite else {
                return fail("\"minutes\" must be a number above 0")
            }
            seconds = number * 60
        }
        if let text = object["until"] {
            guard let string = text as? String, let date = RFC3339.date(from: string) else {
                return fail("\"until\" must be an RFC 3339 time with its offset, e.g. 2026-12-01T12:00:00+01:00")
            }
            until = date
        }
        guard (seconds == nil) != (until == nil) else {
            return fail("silence needs \"minutes\" or \"until\", not both")
        }
        return .success(
            SilenceRequest(
                id: id, staff: staff,
                change: .start(
                    resident: resident, room: room, kinds: kinds, until: until, seconds: seconds, reason: reason)))
    }

    /// Encodes the request for publishing.
    public func encode() -> [UInt8] {
        var object: [String: Any] = ["id": id]
        switch change {
        case .start(let resident, let room, let kinds, let until, let seconds, let reason):
            object["action"] = "silence"
            if let resident { object["resident"] = resident }
            if let room { object["room"] = room }
            if let kinds { object["kinds"] = kinds }
            if let until { object["until"] = RFC3339.string(from: until, in: TimeZone(identifier: "UTC")!) }
            if let seconds { object["minutes"] = seconds / 60 }
            object["reason"] = reason
        case .end(let silence):
            object["action"] = "unsilence"
            object["silence"] = silence
        }
        return WireJSON.bytes(object)
    }
}
