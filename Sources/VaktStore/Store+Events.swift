import Foundation
import GRDB

extension Store {
    /// How many events the log holds, by status (`accepted`, `rejected`, `ignored`).
    ///
    /// Statuses with no events are absent from the result.
    ///
    /// - Throws: `DatabaseError`.
    public func eventCounts() throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM events GROUP BY status") {
                counts[row["status"]] = row["n"]
            }
            return counts
        }
    }

    /// Inserts `event` unless its key is already logged; returns whether it was new.
    static func insertEvent(_ event: EventRecord, _ db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO events (key, received_at, source, device, kind, payload, status, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                event.key, event.receivedAt.timeIntervalSince1970, event.source, event.device, event.kind,
                event.payload, event.status.rawValue, event.reason,
            ])
        return db.changesCount > 0
    }
}

extension Store {
    /// Calls `body` with each accepted event received in `[from, to)`, in the order received.
    ///
    /// - Throws: `DatabaseError`; whatever `body` throws.
    public func forEachAcceptedEvent(from: Date, to: Date, _ body: (EventRecord) throws -> Void) throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT * FROM events WHERE status = 'accepted' AND received_at >= ? AND received_at < ?
                    ORDER BY received_at, seq
                    """,
                arguments: [from.timeIntervalSince1970, to.timeIntervalSince1970])
            while let row = try rows.next() {
                try body(
                    EventRecord(
                        key: row["key"], receivedAt: Date(timeIntervalSince1970: row["received_at"]),
                        source: row["source"], device: row["device"], kind: row["kind"], payload: row["payload"],
                        status: EventStatus(rawValue: row["status"]) ?? .accepted, reason: row["reason"]))
            }
        }
    }
}
