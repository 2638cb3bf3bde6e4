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
        ).execute(arguments: [state.id, state.lastSeen?.timeIntervalSince1970, try StoredJSON.encode(state)])
    }
}
