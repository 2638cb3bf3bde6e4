import GRDB

extension Store {
    /// The MQTT session as last committed; epoch 0, no packet id and no wraps when none was.
    ///
    /// - Throws: `DatabaseError`.
    public func mqttSession() throws -> MQTTSession {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT epoch, last_mid, wraps FROM mqtt_session WHERE id = 1")
            else { return MQTTSession(epoch: 0, lastMid: nil, wraps: 0) }
            let lastMid: Int = row["last_mid"]
            return MQTTSession(epoch: row["epoch"], lastMid: lastMid == 0 ? nil : lastMid, wraps: row["wraps"])
        }
    }

    static func saveSession(_ session: MQTTSessionUpdate, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO mqtt_session (id, epoch, last_mid, wraps) VALUES (1, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET epoch = excluded.epoch, last_mid = excluded.last_mid, wraps = excluded.wraps
                """
        ).execute(
            arguments: [session.epoch, session.lastMid, session.wraps])
    }
}
