import Foundation
import GRDB
import VaktCore

extension Store {
    /// Rows that could be read, and why each other row could not be.
    public struct Readable<Item: Sendable>: Sendable {
        public var items: [Item]
        /// Why each other row could not be read.
        public var unreadable: [String]
        /// The ids of those rows.
        public var unreadableIDs: [String] = []
    }

    /// What counting, absence and inactivity rules remember, to restore after a restart.
    /// One damaged row (or one written by a newer version) is reported, not fatal: the hub
    /// must start.
    ///
    /// - Throws: `DatabaseError` only.
    public func ruleMemories() throws -> Readable<RuleMemory> {
        try readableRows(RuleMemory.self, table: "rule_memory", sql: "SELECT id, json FROM rule_memory ORDER BY id")
    }

    /// Silences in force or yet to start, soonest end first; unreadable rows reported.
    ///
    /// - Throws: `DatabaseError` only.
    public func silences() throws -> Readable<Silence> {
        try readableRows(Silence.self, table: "silences", sql: "SELECT id, json FROM silences ORDER BY until, id")
    }

    /// Alarms resolved at or after `since`: what hold-offs and reopening look back on;
    /// unreadable rows reported.
    ///
    /// - Throws: `DatabaseError` only.
    public func alarms(resolvedSince since: Date) throws -> Readable<Alarm> {
        try readableRows(
            Alarm.self, table: "alarms",
            sql: "SELECT id, json FROM alarms WHERE state = 'resolved' AND resolved_at >= ? ORDER BY resolved_at",
            arguments: [since.timeIntervalSince1970])
    }

    /// The rows `sql` selects (`id`, `json`), decoded where they can be; why each other could
    /// not be, with its id.
    func readableRows<Item: Decodable & Sendable>(
        _ type: Item.Type, table: String, sql: String, arguments: StatementArguments = []
    ) throws -> Readable<Item> {
        try pool.read { db in
            var result = Readable<Item>(items: [], unreadable: [])
            for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments) {
                do {
                    result.items.append(try StoredJSON.decode(type, row["json"], table: table, id: row["id"]))
                } catch {
                    result.unreadable.append("\(error)")
                    result.unreadableIDs.append(row["id"])
                }
            }
            return result
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
