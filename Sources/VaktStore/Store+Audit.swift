import Foundation
import GRDB
import GRDBSQLite
import VaktCore

extension Store {
    /// Audit records in order, all of them or those at or after `since`.
    ///
    /// - Parameter since: Only records whose `at` is at or after this instant (compared at
    ///   millisecond precision, as records are stored).
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row cannot be decoded.
    public func auditRecords(since: Date? = nil) throws -> [AuditRecord] {
        var records: [AuditRecord] = []
        try forEachAuditRecord(AuditFilter(since: since)) { records.append($0) }
        return records
    }

    /// Calls `body` with each audit record the filter lets through, in order, reading the
    /// table with a cursor: an export of millions of records never sits in memory at once.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row cannot be decoded;
    ///   whatever `body` throws.
    public func forEachAuditRecord(_ filter: AuditFilter, _ body: (AuditRecord) throws -> Void) throws {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let since = filter.since {
            conditions.append("at >= ?")
            arguments += [Double(UTCMilliseconds.milliseconds(since)) / 1000]
        }
        if let until = filter.until {
            conditions.append("at < ?")
            arguments += [Double(UTCMilliseconds.milliseconds(until)) / 1000]
        }
        if let resident = filter.resident {
            var about = ["alarm IN (SELECT id FROM alarms WHERE resident = ?)"]
            arguments += [resident]
            if let room = filter.room {
                about.append("json_extract(detail, '$.room') = ?")
                arguments += [room]
            }
            conditions.append("(" + about.joined(separator: " OR ") + ")")
        }
        if let actions = filter.actions {
            conditions.append("action IN (" + actions.map { _ in "?" }.joined(separator: ",") + ")")
            arguments += StatementArguments(actions.map(\.rawValue))
        }
        let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit \(clause) ORDER BY seq", arguments: arguments)
            while let row = try rows.next() { try body(try Self.auditRecord(row)) }
        }
    }

    /// Appends one entry to the audit log on its own (maintenance: a restore, a prune).
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.diskFull`.
    @discardableResult
    public func appendAudit(_ entry: AuditEntry) throws -> AuditRecord {
        try writeTransaction { db in try Self.appendAudit(entry, db) }
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
    /// A log pruned for retention starts later: its first record must be the one the latest
    /// `audit.pruned` record names (`first_kept_seq`), chained to the hash it kept
    /// (`anchor_hash`); that record is itself checked as part of the chain.
    ///
    /// With a `checkpoint`, the log must still reach the checkpoint's record and that record
    /// must carry the checkpoint's hash: a cut tail or a rewritten log is caught even though
    /// what remains chains correctly.
    ///
    /// Reads the table with a cursor, so a long log never sits in memory at once.
    ///
    /// - Returns: `.intact` with the count and chain head, or `.broken` at the first record that
    ///   fails, with the reason.
    /// - Throws: `DatabaseError` when the table cannot be read (not when its content is wrong).
    public func verifyAudit(checkpoint: AuditCheckpoint? = nil) throws -> AuditVerification {
        try pool.read { db in try Self.verifyAudit(db, checkpoint: checkpoint) }
    }

    /// Verifies the audit chain of a database file without changing it (a backup): opened
    /// read-only, not migrated. See ``verifyAudit(checkpoint:)``.
    ///
    /// - Throws: `DatabaseError` when the file is not a database or has no audit table.
    public static func verifyAudit(file: String) throws -> AuditVerification {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: file, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try verifyAudit(db, checkpoint: nil) }
    }

    private static func verifyAudit(_ db: Database, checkpoint: AuditCheckpoint?) throws -> AuditVerification {
        do {
            var verifier = AuditChainVerifier()
            var anchor: String?
            let firstSeq = try Int.fetchOne(db, sql: "SELECT MIN(seq) FROM audit")
            if let firstSeq, firstSeq != 1 {
                switch try Self.pruneAnchor(db, firstSeq: firstSeq) {
                case .success(let hash):
                    anchor = hash
                    verifier = AuditChainVerifier(startingAt: firstSeq, previousHash: hash)
                case .failure(let error): return .broken(seq: firstSeq, reason: error.description)
                }
            }
            var checkpointHash: String?
            var canonical: [UInt8] = []
            canonical.reserveCapacity(512)
            let statement = try db.makeStatement(
                sql: """
                    SELECT seq, at, actor, action, alarm, channel, recipient, result, detail, prev_hash, hash
                    FROM audit ORDER BY seq
                    """)
            let rows = try Row.fetchCursor(statement)
            while let row = try rows.next() {
                // Positional, throwing reads: a row edited to hold the wrong types is reported.
                // The text the hash covers is read in place from SQLite (no String made per
                // column: a fifth of verification's time, measured).
                let seq = (try? row.decode(Int.self, atIndex: 0)) ?? 0
                let reason: String?
                do {
                    let prevHash = try row.decode(String.self, atIndex: 9)
                    let hash = try row.decode(String.self, atIndex: 10)
                    let at = try row.decode(Double.self, atIndex: 1)
                    let text = { (index: Int32, name: String) in
                        try Self.storedText(statement.sqliteStatement, index, column: name)
                    }
                    let actor = try text(2, "actor") ?? Self.missing("actor")
                    let action = try text(3, "action") ?? Self.missing("action")
                    let alarm = try text(4, "alarm")
                    let channel = try text(5, "channel")
                    let recipient = try text(6, "recipient")
                    let result = try text(7, "result")
                    let detail = try text(8, "detail") ?? Self.missing("detail")
                    reason = verifier.check(seq: seq, prevHash: prevHash, hash: hash) {
                        AuditRecord.writeCanonical(
                            seq: seq, at: Date(timeIntervalSince1970: at), actor: actor, action: action, alarm: alarm,
                            channel: channel, recipient: recipient, result: result, storedDetail: detail,
                            to: &canonical)
                        return canonical.withUnsafeBytes {
                            AuditRecord.chainHash(prevHash: prevHash, canonical: $0, equals: hash)
                        }
                    }
                    if reason == nil, seq == checkpoint?.seq { checkpointHash = hash }
                } catch {
                    return .broken(seq: seq, reason: "record \(seq) cannot be read: \(error)")
                }
                if let reason { return .broken(seq: seq, reason: reason) }
            }
            if let checkpoint,
                let reason = Self.checkAgainst(
                    checkpoint, found: checkpointHash, firstSeq: firstSeq, anchor: anchor, count: verifier.count)
            {
                return .broken(seq: checkpoint.seq, reason: reason)
            }
            return .intact(count: verifier.count, lastHash: verifier.lastHash)
        }
    }

    /// The text in column `index` of the statement's current row, as its stored bytes (valid
    /// until the statement steps on); `nil` for NULL.
    ///
    /// - Throws: `StoreError.Code.corruptRow` when the column holds a number or a blob.
    private static func storedText(
        _ statement: SQLiteStatement, _ index: Int32, column: String
    ) throws -> UnsafeRawBufferPointer? {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL:
            return nil
        case SQLITE_TEXT:
            // Text first, then its length: the order SQLite asks for. A text value (empty
            // included) has a pointer; none means SQLite ran out of memory converting it.
            guard let bytes = sqlite3_column_text(statement, index) else {
                throw StoreError(.corruptRow, "column \(column) could not be read (out of memory)")
            }
            return UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, index)))
        default:
            throw StoreError(.corruptRow, "column \(column) does not hold text")
        }
    }

    private static func missing(_ column: String) throws -> UnsafeRawBufferPointer {
        throw StoreError(.corruptRow, "column \(column) is NULL")
    }

    /// Why the log does not agree with a checkpoint written earlier, or `nil` when it does.
    ///
    /// A checkpoint of the last record a prune removed is compared with the prune's anchor.
    /// One older than that cannot be compared with anything left: it passes, and
    /// ``checkpointPredatesPrune(_:)`` lets the caller say so.
    private static func checkAgainst(
        _ checkpoint: AuditCheckpoint, found hash: String?, firstSeq: Int?, anchor: String?, count: Int
    ) -> String? {
        let written = UTCMilliseconds.string(checkpoint.writtenAt)
        if let hash {
            return hash == checkpoint.hash
                ? nil
                : "record \(checkpoint.seq) does not carry the hash the checkpoint of \(written) wrote down: "
                    + "the log was rewritten from record \(checkpoint.seq) or before"
        }
        if let firstSeq, checkpoint.seq < firstSeq {
            guard checkpoint.seq == firstSeq - 1, let anchor else { return nil }
            return anchor == checkpoint.hash
                ? nil
                : "the last prune's anchor is not the hash the checkpoint of \(written) wrote down for record \(checkpoint.seq): "
                    + "the log was rewritten"
        }
        let last = (firstSeq ?? 1) + count - 1
        return "the log ends at record \(last), but the checkpoint of \(written) saw record \(checkpoint.seq): "
            + "records \(last + 1)-\(checkpoint.seq) (at least) were cut off the end"
    }

    /// Whether the checkpoint names a record pruned before the one the last prune anchored
    /// to: verification could not compare it with anything.
    ///
    /// - Throws: `DatabaseError`.
    public func checkpointPredatesPrune(_ checkpoint: AuditCheckpoint) throws -> Bool {
        let first = try pool.read { db in try Int.fetchOne(db, sql: "SELECT MIN(seq) FROM audit") } ?? 1
        return checkpoint.seq < first - 1
    }

    /// The hash the first record kept by the latest prune chains to (its `anchor_hash`); the
    /// reason the gap at the start is not accounted for otherwise.
    private static func pruneAnchor(_ db: Database, firstSeq: Int) throws -> Result<String, AnchorError> {
        let row = try Row.fetchOne(
            db, sql: "SELECT * FROM audit WHERE action = ? ORDER BY seq DESC LIMIT 1",
            arguments: [AuditAction.auditPruned.rawValue])
        guard let row, let record = try? auditRecord(row), let kept = record.detail["first_kept_seq"].flatMap(Int.init),
            let anchor = record.detail["anchor_hash"]
        else {
            return .failure(
                AnchorError(
                    "records 1-\(firstSeq - 1) are missing and no audit.pruned record accounts for them"))
        }
        guard kept == firstSeq else {
            return .failure(
                AnchorError(
                    "the log starts at record \(firstSeq) but the last prune (record \(record.seq)) kept records from \(kept) on"
                ))
        }
        return .success(anchor)
    }

    struct AnchorError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The chain head: the last record's seq and hash; `nil` for an empty log.
    ///
    /// - Throws: `DatabaseError`.
    public func auditHead() throws -> (seq: Int, hash: String)? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1") else {
                return nil
            }
            return (row["seq"], row["hash"])
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
            guard
                let detail = CanonicalJSON.parseStrings(detailText.utf8)
                    ?? (try? JSONDecoder().decode([String: String].self, from: Data(detailText.utf8)))
            else {
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
