import Foundation
import GRDB
import VaktCore

extension Store {
    /// The notifications queued by transactions committed since the last call, oldest first:
    /// at most the last `QueuedHandoff.limit` of them.
    ///
    /// A hint, not the outbox: each is a row this process inserted, due at once and never
    /// attempted when it was committed. One that was since attempted (found by `dueOutbox`
    /// first) or that was dropped for the limit is still in the outbox, which stays the truth.
    public func takeFreshlyQueued() -> [OutboxItem] { queued.take() }

    /// Pending notifications due at or before `now`, the longest-due first (ties in queue order).
    ///
    /// - Parameters:
    ///   - now: The dispatcher's current instant.
    ///   - limit: At most this many.
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func dueOutbox(at now: Date, limit: Int) throws -> [OutboxItem] {
        try pool.read { db in
            // Cached statements: the dispatcher asks after every commit that queued a notification.
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT key, json, attempts, next_attempt_at FROM outbox
                        WHERE state = 'pending' AND next_attempt_at <= ?
                        ORDER BY next_attempt_at, created_at, rowid
                        LIMIT ?
                        """),
                arguments: [now.timeIntervalSince1970, limit]
            ).map { row in
                OutboxItem(
                    notification: try StoredJSON.decode(
                        VaktCore.Notification.self, row["json"], table: "outbox", id: row["key"]),
                    attempts: row["attempts"],
                    nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]))
            }
        }
    }

    /// The earliest instant a pending notification is due, or `nil` when none is pending.
    ///
    /// - Throws: `DatabaseError`.
    public func nextOutboxDue() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(
                db.cachedStatement(sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'")
            )
            .map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Records one delivery attempt and the engine's reaction to it in one transaction.
    ///
    /// Increments the row's `attempts`, then:
    /// - delivered: state `delivered`, no next attempt, `last_error` cleared;
    /// - failed and `final`: state `failed`, no next attempt, `last_error` = the reason;
    /// - failed, not final: stays `pending`, due at `nextAttemptAt` (unchanged when `nil`),
    ///   `last_error` = the reason.
    ///
    /// Then `apply` runs inside the transaction and its effects (the attempt's audit record,
    /// an escalation) are persisted as ``commit(event:session:apply:)`` does.
    ///
    /// `attempt` is the attempt's number, from 1: the row must be pending with `attempt - 1`
    /// attempts on record. An attempt already recorded, or one made on a row that has since
    /// been delivered or given up (a stale copy of it), changes nothing: recording it would
    /// count an attempt twice, or take a delivered notification back to pending.
    ///
    /// - Throws: `StoreError.Code.unknownNotification` when no outbox row has `key`;
    ///   `StoreError.Code.staleAttempt` when the row is not pending at `attempt - 1` attempts;
    ///   whatever `apply` throws; `DatabaseError`; `StoreError.Code.diskFull`. Nothing is
    ///   written then.
    public func recordAttempt(
        key: String, attempt: Int, result: DeliveryResult, final: Bool, nextAttemptAt: Date?,
        apply: () throws -> [Effect]
    ) throws {
        try writeTransaction { db in
            let state: String
            var error: String?
            var next = nextAttemptAt
            switch result {
            case .delivered:
                state = "delivered"
                next = nil
            case .failed(let reason, _):
                state = final ? "failed" : "pending"
                error = reason
                if final { next = nil }
            }
            try db.cachedStatement(
                sql: """
                    UPDATE outbox SET attempts = attempts + 1, state = ?, last_error = ?,
                        next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END
                    WHERE key = ? AND state = 'pending' AND attempts = ?
                    """
            ).execute(
                arguments: [
                    state, error, state != "pending" || next != nil, next?.timeIntervalSince1970, key, attempt - 1,
                ])
            guard db.changesCount > 0 else {
                let row = try Row.fetchOne(
                    db, sql: "SELECT state, attempts FROM outbox WHERE key = ?", arguments: [key])
                guard let row else {
                    throw StoreError(.unknownNotification, "the outbox holds no notification with key \(key)")
                }
                let (current, made): (String, Int) = (row["state"], row["attempts"])
                throw StoreError(
                    .staleAttempt,
                    "attempt \(attempt) of notification \(key) was not recorded: the outbox has it \(current) after \(made) attempt\(made == 1 ? "" : "s")"
                )
            }
            let effects = try apply()
            try persist(effects, now: Self.instant(of: effects) ?? next ?? Date(), db)
        }
    }

    /// Queues `notification`, due at `now`, unless its key is queued already.
    /// Returns whether the row was inserted.
    static func enqueue(_ notification: VaktCore.Notification, at now: Date, _ db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO outbox (key, json, alarm, channel, created_at, attempts, next_attempt_at, state)
                VALUES (?, ?, ?, ?, ?, 0, ?, 'pending')
                """
        ).execute(
            arguments: [
                notification.key, try StoredJSON.encode(notification), notification.alarm, notification.channel,
                now.timeIntervalSince1970, now.timeIntervalSince1970,
            ])
        return db.changesCount > 0
    }
}
