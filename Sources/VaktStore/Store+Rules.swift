import Foundation
import GRDB
import VaktCore

extension Store {
    /// What counting, absence and inactivity rules remember, to restore after a restart.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func ruleMemories() throws -> [RuleMemory] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, json FROM rule_memory ORDER BY id").map { row in
                try StoredJSON.decode(RuleMemory.self, row["json"], table: "rule_memory", id: row["id"])
            }
        }
    }

    /// Silences in force or yet to start, soonest end first.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func silences() throws -> [Silence] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, json FROM silences ORDER BY until, id").map { row in
                try StoredJSON.decode(Silence.self, row["json"], table: "silences", id: row["id"])
            }
        }
    }

    /// Alarms resolved at or after `since`: what hold-offs and reopening look back on.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.corruptRow` when a row does not decode.
    public func alarms(resolvedSince since: Date) throws -> [Alarm] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, json FROM alarms WHERE state = 'resolved' AND resolved_at >= ? ORDER BY resolved_at",
                arguments: [since.timeIntervalSince1970]
            ).map { row in
                try StoredJSON.decode(Alarm.self, row["json"], table: "alarms", id: row["id"])
            }
        }
    }

    static func saveMemory(_ memory: RuleMemory, _ db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO rule_memory (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json"
        ).execute(arguments: [memory.id, try StoredJSON.encode(memory)])
    }

    static func saveSilence(_ silence: Silence, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO silences (id, until, json) VALUES (?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET until = excluded.until, json = excluded.json
                """
        ).execute(arguments: [silence.id, silence.until.timeIntervalSince1970, try StoredJSON.encode(silence)])
    }
}
