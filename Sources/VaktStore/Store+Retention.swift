import Foundation
import GRDB
import VaktCore

/// What a prune removed, or would remove.
public struct PruneResult: Sendable, Equatable {
    /// Audit records removed; the log now starts at `firstKeptSeq`.
    public var auditRecords: Int
    public var firstKeptSeq: Int?
    /// Closed alarms removed.
    public var alarms: Int
    /// Raw device messages removed from the event log.
    public var events: Int
    /// Delivered or failed notifications removed from the outbox.
    public var notifications: Int

    public init(
        auditRecords: Int = 0, firstKeptSeq: Int? = nil, alarms: Int = 0, events: Int = 0, notifications: Int = 0
    ) {
        self.auditRecords = auditRecords
        self.firstKeptSeq = firstKeptSeq
        self.alarms = alarms
        self.events = events
        self.notifications = notifications
    }
}

extension Store {
    /// Removes what is older than the retention periods, in one transaction.
    ///
    /// Audit records before `auditBefore` go, except from the first record of any alarm
    /// still open (an open alarm keeps its whole story). An `audit.pruned` record is appended
    /// naming the first record kept and the hash it chains to (`anchor_hash`), so what
    /// remains still verifies from there. Closed alarms resolved before `auditBefore` go
    /// with their records, and delivered or failed notifications created before it.
    /// Device messages received before `eventsBefore` go from the event log.
    ///
    /// The audit table refuses deletes by trigger; the prune lifts it inside its own
    /// transaction and puts it back before committing.
    ///
    /// - Parameters:
    ///   - dryRun: Count what would go, and change nothing.
    /// - Throws: `DatabaseError`; `StoreError.Code.diskFull`.
    @discardableResult
    public func prune(auditBefore: Date?, eventsBefore: Date?, at now: Date, actor: String, dryRun: Bool = false)
        throws -> PruneResult
    {
        try writeTransaction { db in
            var result = PruneResult()
            if let auditBefore {
                let cutoff = Double(UTCMilliseconds.milliseconds(auditBefore)) / 1000
                // The first record at or after the cutoff, but never past an open alarm's first record.
                let candidates = [
                    try Int.fetchOne(db, sql: "SELECT MIN(seq) FROM audit WHERE at >= ?", arguments: [cutoff]),
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT MIN(seq) FROM audit WHERE alarm IN
                                (SELECT id FROM alarms WHERE state != 'resolved')
                            """),
                ].compactMap { $0 }
                let head = try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM audit") ?? 0
                // The head record always stays: the prune record chains to it, and seq numbers
                // (and every checkpoint written down) keep their meaning.
                let firstKept = min(candidates.min() ?? head, head)
                let firstPresent = try Int.fetchOne(db, sql: "SELECT MIN(seq) FROM audit") ?? firstKept
                result.auditRecords = max(0, firstKept - firstPresent)
                result.alarms =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM alarms WHERE state = 'resolved' AND resolved_at < ?",
                        arguments: [cutoff]) ?? 0
                result.notifications =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM outbox WHERE state != 'pending' AND created_at < ?",
                        arguments: [cutoff]) ?? 0
                if !dryRun, result.auditRecords > 0 {
                    let anchor =
                        try String.fetchOne(
                            db, sql: "SELECT prev_hash FROM audit WHERE seq = ?", arguments: [firstKept])
                        ?? AuditRecord.genesisHash
                    try db.execute(sql: "DROP TRIGGER audit_no_delete")
                    try db.execute(sql: "DELETE FROM audit WHERE seq < ?", arguments: [firstKept])
                    try db.execute(sql: Self.noDeleteTrigger)
                    try Self.appendAudit(
                        AuditEntry(
                            at: now, actor: actor, action: .auditPruned,
                            detail: [
                                "first_kept_seq": String(firstKept), "anchor_hash": anchor,
                                "removed": String(result.auditRecords), "before": UTCMilliseconds.string(auditBefore),
                            ]), db)
                    result.firstKeptSeq = firstKept
                }
                if !dryRun {
                    // Alarm numbers are never reused: the highest ever given is kept in meta.
                    if let highest = try Int.fetchOne(db, sql: "SELECT MAX(number) FROM alarms") {
                        try Self.raiseAlarmNumberFloor(to: highest, db)
                    }
                    try db.execute(
                        sql: "DELETE FROM alarms WHERE state = 'resolved' AND resolved_at < ?", arguments: [cutoff])
                    try db.execute(
                        sql: "DELETE FROM outbox WHERE state != 'pending' AND created_at < ?", arguments: [cutoff])
                }
            }
            if let eventsBefore {
                let cutoff = Double(UTCMilliseconds.milliseconds(eventsBefore)) / 1000
                result.events =
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE received_at < ?", arguments: [cutoff])
                    ?? 0
                if !dryRun { try db.execute(sql: "DELETE FROM events WHERE received_at < ?", arguments: [cutoff]) }
            }
            return result
        }
    }

    /// Records that alarm numbers up to `number` have been given, in `meta`.
    static func raiseAlarmNumberFloor(to number: Int, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO meta (key, value) VALUES ('highest_alarm_number', ?)
                ON CONFLICT(key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                """,
            arguments: [String(number)])
    }

    /// The trigger that keeps audit records from being deleted (as created by schema v1).
    static let noDeleteTrigger = """
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN
            SELECT RAISE(ABORT, 'audit records are append-only');
        END
        """
}
