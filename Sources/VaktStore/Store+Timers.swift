import GRDB
import VaktCore

extension Store {
    /// Every armed timer, soonest first (ties by id), to re-arm after a restart.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func pendingTimers() throws -> [ScheduledTimer] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, json FROM timers ORDER BY due_at, id").map { row in
                try StoredJSON.decode(ScheduledTimer.self, row["json"], table: "timers", id: row["id"])
            }
        }
    }

    /// Every armed timer that can be read, soonest first, and why each other row could not be.
    ///
    /// One unreadable row (written by a newer version with a purpose this one does not know, or
    /// damaged) must not stop every escalation: the hub fires the rest and reports the row.
    ///
    /// - Throws: `DatabaseError` only.
    public func readablePendingTimers() throws -> (timers: [ScheduledTimer], unreadable: [String]) {
        let rows = try readableRows(
            ScheduledTimer.self, table: "timers", sql: "SELECT id, json FROM timers ORDER BY due_at, id")
        return (rows.items, rows.unreadable)
    }

    /// The stored timer with this id, if it is there and readable.
    ///
    /// - Throws: `DatabaseError`.
    public func timer(id: String) throws -> ScheduledTimer? {
        try pool.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT json FROM timers WHERE id = ?", arguments: [id])
            else { return nil }
            return try? StoredJSON.decode(ScheduledTimer.self, json, table: "timers", id: id)
        }
    }

    /// Arms `timer`, replacing one with the same id, inside the caller's transaction.
    static func saveTimer(_ timer: ScheduledTimer, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO timers (id, alarm, purpose, due_at, json) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    alarm = excluded.alarm, purpose = excluded.purpose, due_at = excluded.due_at, json = excluded.json
                """
        ).execute(
            arguments: [
                timer.id, timer.alarm, timer.purpose.rawValue, timer.due.timeIntervalSince1970,
                try StoredJSON.encode(timer),
            ])
    }
}
