import Foundation
import GRDB
import VaktCore

extension Store {
    /// Audit records in order, all of them or those at or after `since`.
    ///
    /// - Parameter since: Only records whose `at` is at or after this instant (compared at
    ///   millisecond precision, as records are stored).
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row cannot be decoded.
    public func auditRecords(since: Date? = nil) throws -> [AuditRecord] {
        try pool.read { db in
            if let since {
                let bound = Double(UTCMilliseconds.milliseconds(since)) / 1000
                return try Self.fetchAudit(db, "WHERE at >= ? ORDER BY seq", [bound])
            }
            return try Self.fetchAudit(db, "ORDER BY seq", [])
        }
    }

    /// Everything the audit log holds about one alarm, in order.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row cannot be decoded.
    public func timeline(alarm: String) throws -> [AuditRecord] {
        try pool.read { db in try Self.fetchAudit(db, "WHERE alarm = ? ORDER BY seq", [alarm]) }
    }

    /// Recomputes every record's hash and checks the chain: seq 1, 2, 3 ... without gaps,
    /// each `prev_hash` equal to the previous record's `hash` (64 zeros for the first), and
    /// each `hash` equal to `hex(SHA-256(prev_hash ++ canonical bytes))`.
    ///
    /// Reads the table with a cursor, so a long log never sits in memory at once.
    ///
    /// - Returns: `.intact` with the count and chain head, or `.broken` at the first record that
    ///   fails, with the reason.
    /// - Throws: `DatabaseError` when the table cannot be read (not when its content is wrong).
    public func verifyAudit() throws -> AuditVerification {
        try pool.read { db in
            var verifier = AuditChainVerifier()
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY seq")
            while let row = try rows.next() {
                let record: AuditRecord
                do {
                    record = try Self.auditRecord(row)
                } catch {
                    return .broken(seq: (try? row.decode(Int.self, forColumn: "seq")) ?? 0, reason: "\(error)")
                }
                if let reason = verifier.check(record) { return .broken(seq: record.seq, reason: reason) }
            }
            return .intact(count: verifier.count, lastHash: verifier.lastHash)
        }
    }

    /// Appends `entry` as the next chained record, inside the caller's transaction.
    ///
    /// Reading the head and inserting happen in the same write transaction, and SQLite has
    /// one writer, so two appends can never take the same seq or fork the chain.
    @discardableResult
    static func appendAudit(_ entry: AuditEntry, _ db: Database) throws -> AuditRecord {
        let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"))
        var record = AuditRecord(
            seq: (head?["seq"] ?? 0) + 1, at: UTCMilliseconds.truncate(entry.at), actor: entry.actor,
            action: entry.action.rawValue, alarm: entry.alarm, channel: entry.channel,
            recipient: entry.recipient, result: entry.result, detail: entry.detail,
            prevHash: head?["hash"] ?? AuditRecord.genesisHash, hash: "")
        record.hash = record.computedHash()
        let detail = String(decoding: CanonicalJSON.bytes(.strings(record.detail)), as: UTF8.self)
        try db.cachedStatement(
            sql: """
                INSERT INTO audit (seq, at, actor, action, alarm, channel, recipient, result, detail, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                record.seq, Double(UTCMilliseconds.milliseconds(record.at)) / 1000, record.actor, record.action,
                record.alarm, record.channel, record.recipient, record.result, detail, record.prevHash, record.hash,
            ])
        return record
    }

    private static func fetchAudit(_ db: Database, _ clause: String, _ arguments: StatementArguments) throws
        -> [AuditRecord]
    {
        try Row.fetchAll(db, sql: "SELECT * FROM audit \(clause)", arguments: arguments).map(auditRecord)
    }

    /// Decodes one `audit` row; throws `StoreError.Code.corruptRow` with a reason otherwise.
    ///
    /// Uses GRDB's throwing accessors: a row edited by hand to hold the wrong type must make
    /// verification report it, never crash the process.
    private static func auditRecord(_ row: Row) throws -> AuditRecord {
        let seq = (try? row.decode(Int.self, forColumn: "seq")) ?? 0
        do {
            let detailText = try row.decode(String.self, forColumn: "detail")
            guard let detail = try? JSONDecoder().decode([String: String].self, from: Data(detailText.utf8)) else {
                throw StoreError(.corruptRow, "detail of record \(seq) is not a JSON object of strings")
            }
            return AuditRecord(
                seq: try row.decode(forColumn: "seq"),
                at: UTCMilliseconds.truncate(Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "at"))),
                actor: try row.decode(forColumn: "actor"), action: try row.decode(forColumn: "action"),
                alarm: try row.decode(forColumn: "alarm"), channel: try row.decode(forColumn: "channel"),
                recipient: try row.decode(forColumn: "recipient"), result: try row.decode(forColumn: "result"),
                detail: detail, prevHash: try row.decode(forColumn: "prev_hash"),
                hash: try row.decode(forColumn: "hash"))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corruptRow, "record \(seq) cannot be read: \(error)")
        }
    }
}
