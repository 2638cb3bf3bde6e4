import Foundation
import GRDB
import VaktCore

extension Store {
    /// Commits one input and all its effects in one write transaction.
    ///
    /// When `event` is given it is inserted first, with `INSERT OR IGNORE` on its key. If the key
    /// was already there the input is a redelivery: nothing else is written, `apply` is not
    /// called, and the result is `.duplicate`. Otherwise `session` is stored (inside `batch`,
    /// when the batch's body ends), then `apply` runs
    /// inside the transaction (the engine runs there, so state and storage never diverge) and
    /// the effects it returns are persisted in order:
    /// - `saveAlarm`: upserts the alarm;
    /// - `audit`: appends a chained audit record;
    /// - `enqueue`: inserts an outbox row (`INSERT OR IGNORE` on the notification key), due at
    ///   once;
    /// - `schedule`: upserts the timer; `cancelTimer`: deletes it;
    /// - `saveSource`: upserts the device's or bridge's health;
    /// - `shiftPendingAttempts`: moves every pending notification's next attempt;
    /// - `reply`: not stored.
    ///
    /// An enqueued notification's `created_at` and first due instant is the transaction's
    /// instant: the `at` of the first audit entry among the effects (the engine's `now`), else
    /// the event's `receivedAt`, else the wall clock.
    ///
    /// - Parameters:
    ///   - event: The record of what arrived, or `nil` for inputs with no record (timers).
    ///   - session: The MQTT session state to store with the event.
    ///   - meta: `meta` entries to set in the same transaction.
    ///   - apply: Runs the engine and returns its effects. Must not use the store.
    /// - Returns: `.duplicate`, or `.committed` with the effects `apply` returned.
    /// - Throws: Whatever `apply` throws, `DatabaseError`, or `StoreError.Code.diskFull`. On any
    ///   error the whole transaction rolls back: no event, no state, no audit.
    public func commit(
        event: EventRecord?, session: MQTTSessionUpdate? = nil, meta: [(key: String, value: String)] = [],
        apply: () throws -> [Effect]
    ) throws -> CommitResult {
        try writeTransaction { db in
            if let event {
                guard try Self.insertEvent(event, db) else { return .duplicate }
            }
            if let session {
                // Inside a batch, the last-value rows wait for its end (see `batch`).
                if let batch = openBatch { batch.deferSession(session) } else { try Self.saveSession(session, db) }
            }
            try Self.setMeta(meta, db)
            let effects = try apply()
            try persist(effects, now: Self.instant(of: effects) ?? event?.receivedAt ?? Date(), db)
            return .committed(effects)
        }
    }

    /// The engine's `now` as the effects carry it: the first audit entry's instant.
    static func instant(of effects: [Effect]) -> Date? {
        for case .audit(let entry) in effects { return entry.at }
        return nil
    }

    /// The batch in progress on this thread, if any (see `batch`).
    var openBatch: OpenTransaction? { open.database() != nil ? open : nil }

    /// Writes `effects` in order inside the caller's transaction; inside a batch, source states
    /// are kept for the batch's end instead. Each outbox row inserted goes to `queued`, for the
    /// dispatcher once the transaction has committed.
    func persist(_ effects: [Effect], now: Date, _ db: Database) throws {
        let batch = openBatch
        for effect in effects {
            switch effect {
            case .saveAlarm(let alarm): try Self.saveAlarm(alarm, db)
            case .audit(let entry): try Self.appendAudit(entry, db)
            case .enqueue(let notification):
                if try Self.enqueue(notification, at: now, db) {
                    queued.add(OutboxItem(notification: notification, attempts: 0, nextAttemptAt: now))
                }
            case .schedule(let timer): try Self.saveTimer(timer, db)
            case .cancelTimer(let id):
                try db.cachedStatement(sql: "DELETE FROM timers WHERE id = ?").execute(arguments: [id])
            case .saveSource(let state):
                if let batch { batch.deferSource(state) } else { try Self.saveSource(state, db) }
            case .saveMemory(let memory): try Self.saveMemory(memory, db)
            case .forgetMemory(let id):
                try db.cachedStatement(sql: "DELETE FROM rule_memory WHERE id = ?").execute(arguments: [id])
            case .saveSilence(let silence): try Self.saveSilence(silence, db)
            case .endSilence(let id):
                try db.cachedStatement(sql: "DELETE FROM silences WHERE id = ?").execute(arguments: [id])
            case .shiftPendingAttempts(let seconds, nil):
                try db.execute(
                    sql: "UPDATE outbox SET next_attempt_at = next_attempt_at + ? WHERE state = 'pending'",
                    arguments: [seconds])
            case .shiftPendingAttempts(let seconds, let keys?):
                let statement = try db.cachedStatement(
                    sql: "UPDATE outbox SET next_attempt_at = next_attempt_at + ? WHERE state = 'pending' AND key = ?")
                for key in keys.sorted() { try statement.execute(arguments: [seconds, key]) }
            case .reply: break
            }
        }
    }
}
