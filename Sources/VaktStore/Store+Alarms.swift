import Foundation
import GRDB
import VaktCore

extension Store {
    /// Alarms not yet resolved, in raise order: what the engine restores after a restart.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func openAlarms() throws -> [Alarm] {
        try fetchAlarms("WHERE state <> 'resolved' ORDER BY number, id")
    }

    /// Every alarm, or only open ones, ordered by number.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func alarms(includeResolved: Bool) throws -> [Alarm] {
        try fetchAlarms(includeResolved ? "ORDER BY number, id" : "WHERE state <> 'resolved' ORDER BY number, id")
    }

    /// Alarms raised in `[from, to)`, in raise order: what a report counts.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func alarms(raisedFrom from: Date, to: Date) throws -> [Alarm] {
        try fetchAlarms(
            "WHERE raised_at >= ? AND raised_at < ? ORDER BY raised_at, number",
            [from.timeIntervalSince1970, to.timeIntervalSince1970])
    }

    /// One alarm by id, or `nil`.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when the row does not decode.
    public func alarm(id: String) throws -> Alarm? {
        try fetchAlarms("WHERE id = ?", [id]).first
    }

    /// The number the next raised alarm gets: one above the highest ever given, whether its
    /// alarm is still stored or was pruned (`meta.highest_alarm_number`); 1 when none. Alarm
    /// ids are never reused: the audit, timelines and notification keys name alarms by them.
    ///
    /// - Throws: `DatabaseError`.
    public func nextAlarmNumber() throws -> Int {
        try pool.read { db in try Self.highestAlarmNumber(db) + 1 }
    }

    /// The highest alarm number ever given: of the stored alarms, or recorded in meta when
    /// alarms were pruned or a store was restored over.
    static func highestAlarmNumber(_ db: Database) throws -> Int {
        let stored = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) FROM alarms") ?? 0
        let recorded =
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'highest_alarm_number'")
            .flatMap(Int.init) ?? 0
        return max(stored, recorded)
    }

    private func fetchAlarms(_ clause: String, _ arguments: StatementArguments = []) throws -> [Alarm] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, json FROM alarms \(clause)", arguments: arguments).map { row in
                try StoredJSON.decode(Alarm.self, row["json"], table: "alarms", id: row["id"])
            }
        }
    }

    /// Inserts or replaces the alarm with the same id, inside the caller's transaction.
    static func saveAlarm(_ alarm: Alarm, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO alarms (id, number, state, kind, severity, resident, room, device, raised_at,
                                    acknowledged_at, resolved_at, json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    number = excluded.number, state = excluded.state, kind = excluded.kind,
                    severity = excluded.severity, resident = excluded.resident, room = excluded.room,
                    device = excluded.device, raised_at = excluded.raised_at,
                    acknowledged_at = excluded.acknowledged_at, resolved_at = excluded.resolved_at,
                    json = excluded.json
                """
        ).execute(
            arguments: [
                alarm.id, alarm.number, alarm.state.rawValue, alarm.kind, alarm.severity.rawValue, alarm.resident,
                alarm.room, alarm.device, alarm.raisedAt.timeIntervalSince1970,
                alarm.acknowledgedAt?.timeIntervalSince1970, alarm.resolvedAt?.timeIntervalSince1970,
                try StoredJSON.encode(alarm),
            ])
    }
}
