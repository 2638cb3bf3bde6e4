import Foundation

/// An alarm as the outside world sees it: `vakt alarms --json`, the retained MQTT snapshot
/// on `vakt/<site>/alarms/<id>`, and what dashboards read.
///
/// Timestamps are RFC 3339 with the site's UTC offset (`2026-11-26T02:14:00+01:00`).
public struct AlarmSnapshot: Sendable, Equatable, Codable {
    public var id: String
    public var kind: String
    public var severity: Severity
    public var state: AlarmState
    public var resident: String?
    public var residentName: String?
    public var room: String
    public var device: String
    public var policy: String
    public var tier: Int
    public var round: Int
    public var repeats: Int
    public var raisedAt: String
    public var acknowledgedAt: String?
    public var acknowledgedBy: String?
    public var onsiteAt: String?
    public var onsiteBy: String?
    public var resolvedAt: String?
    public var resolvedBy: String?
    public var outcome: String?
    public var note: String?
    /// When a raised alarm escalates next, RFC 3339; `null` once acknowledged.
    public var escalatesAt: String?
    /// Who the current tier notified.
    public var notified: [String]
    /// A chain test, not a real alarm (`nil` in snapshots from a hub before test mode).
    public var test: Bool?

    public var isTest: Bool { test == true }

    enum CodingKeys: String, CodingKey {
        case id, kind, severity, state, resident, room, device, policy, tier, round, repeats, outcome, note
        case residentName = "resident_name"
        case raisedAt = "raised_at"
        case acknowledgedAt = "acknowledged_at"
        case acknowledgedBy = "acknowledged_by"
        case onsiteAt = "onsite_at"
        case onsiteBy = "onsite_by"
        case resolvedAt = "resolved_at"
        case resolvedBy = "resolved_by"
        case escalatesAt = "escalates_at"
        case notified, test
    }

    public init(_ alarm: Alarm, site: Site) {
        let stamp = { (date: Date?) in date.map { RFC3339.string(from: $0, in: site.timeZone) } }
        id = alarm.id
        kind = alarm.kind
        severity = alarm.severity
        state = alarm.state
        resident = alarm.resident
        residentName = alarm.resident.flatMap { site.resident($0)?.displayName }
        room = alarm.room
        device = alarm.device
        policy = alarm.policy
        tier = alarm.tier
        round = alarm.round
        repeats = alarm.repeats
        raisedAt = RFC3339.string(from: alarm.raisedAt, in: site.timeZone)
        acknowledgedAt = stamp(alarm.acknowledgedAt)
        acknowledgedBy = alarm.acknowledgedBy
        onsiteAt = stamp(alarm.onsiteAt)
        onsiteBy = alarm.onsiteBy
        resolvedAt = stamp(alarm.resolvedAt)
        resolvedBy = alarm.resolvedBy
        outcome = alarm.outcome
        note = alarm.note
        escalatesAt = stamp(alarm.escalatesAt)
        notified = alarm.notified ?? []
        test = alarm.isTest
    }

    /// Encodes with every key present (absent values as `null`), keys sorted by their bytes.
    public func json() -> Data {
        Data(CanonicalJSON.bytes(canonicalValue))
    }

    /// The snapshot as a JSON value, every key present: for ``json()`` and for replies that
    /// carry the alarm.
    public var canonicalValue: CanonicalJSON.Value {
        // JSONEncoder drops nil optionals; the contract promises the keys, so write them.
        let text = CanonicalJSON.Value.optional
        let members: [(String, CanonicalJSON.Value)] = [
            ("id", .string(id)), ("kind", .string(kind)), ("severity", .string(severity.rawValue)),
            ("state", .string(state.rawValue)), ("resident", text(resident)), ("resident_name", text(residentName)),
            ("room", .string(room)), ("device", .string(device)), ("policy", .string(policy)),
            ("tier", .integer(tier)), ("round", .integer(round)), ("repeats", .integer(repeats)),
            ("raised_at", .string(raisedAt)), ("acknowledged_at", text(acknowledgedAt)),
            ("acknowledged_by", text(acknowledgedBy)), ("onsite_at", text(onsiteAt)), ("onsite_by", text(onsiteBy)),
            ("resolved_at", text(resolvedAt)), ("resolved_by", text(resolvedBy)), ("outcome", text(outcome)),
            ("note", text(note)), ("escalates_at", text(escalatesAt)),
            ("notified", .array(notified.map(CanonicalJSON.Value.string))),
            ("test", test.map(CanonicalJSON.Value.bool) ?? .null),
        ]
        return .object(members)
    }

    /// A JSON array of snapshots, pretty-printed for people when asked.
    public static func jsonArray(_ snapshots: [AlarmSnapshot], pretty: Bool = false) -> Data {
        let objects = snapshots.compactMap { try? JSONSerialization.jsonObject(with: $0.json()) }
        var options: JSONSerialization.WritingOptions = [.sortedKeys]
        if pretty { options.insert(.prettyPrinted) }
        return (try? JSONSerialization.data(withJSONObject: objects, options: options)) ?? Data("[]".utf8)
    }
}

/// RFC 3339 timestamps with a zone offset.
public enum RFC3339 {
    /// Formatters are costly to make (tens of microseconds each); these are made once and
    /// used under a lock.
    private final class Formatters: @unchecked Sendable {
        let lock = NSLock()
        var byZone: [String: ISO8601DateFormatter] = [:]
        let plain: ISO8601DateFormatter = {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter
        }()
        let fractional: ISO8601DateFormatter = {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter
        }()
    }

    private static let formatters = Formatters()

    /// `2026-11-26T02:14:00+01:00` in `zone`.
    public static func string(from date: Date, in zone: TimeZone) -> String {
        formatters.lock.withLock {
            let formatter =
                formatters.byZone[zone.identifier]
                ?? {
                    let formatter = ISO8601DateFormatter()
                    formatter.timeZone = zone
                    formatter.formatOptions = [.withInternetDateTime]
                    formatters.byZone[zone.identifier] = formatter
                    return formatter
                }()
            return formatter.string(from: date)
        }
    }

    public static func date(from text: String) -> Date? {
        formatters.lock.withLock {
            formatters.plain.date(from: text) ?? formatters.fractional.date(from: text)
        }
    }
}
