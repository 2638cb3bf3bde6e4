import Foundation
import GRDB
import VaktCore

extension Store {
    /// The health of every device and bridge the hub has watched, by id.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func sources() throws -> [SourceState] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, json FROM sources ORDER BY id").map { row in
                try StoredJSON.decode(SourceState.self, row["json"], table: "sources", id: row["id"])
            }
        }
    }

    /// Inserts or replaces a source's state, inside the caller's transaction.
    static func saveSource(_ state: SourceState, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO sources (id, last_seen, json) VALUES (?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, json = excluded.json
                """
        ).execute(arguments: [state.id, state.lastSeen?.timeIntervalSince1970, Self.json(state)])
    }

    /// The `json` column of a source: what `StoredJSON.encode` would write, decoded the same
    /// way, written by hand. A source is saved with almost every device message, and
    /// JSONEncoder was a fifth of the hub's CPU per message (measured with perf). Dates are
    /// seconds since 2001 in Swift's shortest round-trip form, as JSONEncoder writes them, so
    /// they come back bit for bit; absent values are left out, as JSONEncoder leaves them.
    static func json(_ state: SourceState) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        var first = true
        func key(_ name: String) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            CanonicalJSON.writeString(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            CanonicalJSON.writeString(value, to: &out)
        }
        func literal(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            out.append(contentsOf: value.utf8)
        }
        func date(_ name: String, _ value: Date?) {
            literal(name, value.map { "\($0.timeIntervalSinceReferenceDate)" })
        }
        // Keys in the order JSONEncoder's `.sortedKeys` writes them.
        literal("battery", state.battery.map { "\($0)" })
        string("chainProof", state.chainProof)
        string("chainProofKind", state.chainProofKind)
        date("chainProvenAt", state.chainProvenAt)
        string("id", state.id)
        string("lastDigest", state.lastDigest)
        string("lastRejection", state.lastRejection)
        date("lastRejectionAt", state.lastRejectionAt)
        date("lastSeen", state.lastSeen)
        literal("lowBattery", "\(state.lowBattery)")
        literal("online", state.online.map { "\($0)" })
        date("onlineSince", state.onlineSince)
        literal("proofExpired", "\(state.proofExpired)")
        date("proofSince", state.proofSince)
        literal("rejected", "\(state.rejected)")
        literal("silent", "\(state.silent)")
        literal("tampered", "\(state.tampered)")
        string("testAlarm", state.testAlarm)
        date("testUntil", state.testUntil)
        string("warning", state.warning)
        date("watchedSince", state.watchedSince)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
