import GRDB

extension Store {
    /// The schema version written to `meta` by the latest migration.
    public static let schemaVersion = 3

    /// Every migration, in order. Never edit a released migration: append a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: schemaV1)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: schemaV2)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: schemaV3)
        }
        return migrator
    }

    private static let schemaV1 = """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            received_at REAL NOT NULL,
            source TEXT NOT NULL,
            device TEXT,
            kind TEXT,
            payload BLOB NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'ignored')),
            reason TEXT
        );
        CREATE INDEX events_received_at ON events(received_at);

        CREATE TABLE alarms (
            id TEXT PRIMARY KEY,
            number INTEGER,
            state TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            resident TEXT,
            room TEXT NOT NULL,
            device TEXT NOT NULL,
            raised_at REAL NOT NULL,
            acknowledged_at REAL,
            resolved_at REAL,
            json TEXT NOT NULL
        );
        CREATE INDEX alarms_number ON alarms(number);
        CREATE INDEX alarms_state ON alarms(state);

        -- json holds the Codable ScheduledTimer so the due instant comes back bit for bit.
        CREATE TABLE timers (
            id TEXT PRIMARY KEY,
            alarm TEXT NOT NULL,
            purpose TEXT NOT NULL,
            due_at REAL NOT NULL,
            json TEXT NOT NULL
        );
        CREATE INDEX timers_due_at ON timers(due_at);

        CREATE TABLE outbox (
            key TEXT PRIMARY KEY,
            json TEXT NOT NULL,
            alarm TEXT NOT NULL,
            channel TEXT NOT NULL,
            created_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
            last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            alarm TEXT,
            channel TEXT,
            recipient TEXT,
            result TEXT,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_alarm ON audit(alarm, seq);
        CREATE INDEX audit_at ON audit(at);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN
            SELECT RAISE(ABORT, 'audit records are append-only');
        END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN
            SELECT RAISE(ABORT, 'audit records are append-only');
        END;

        CREATE TABLE mqtt_session (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            epoch INTEGER NOT NULL,
            last_mid INTEGER NOT NULL,
            wraps INTEGER NOT NULL
        );

        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO meta (key, value) VALUES ('schema_version', '1');
        """

    /// Device and bridge health (`SourceState`), one row each, replaced as it changes.
    private static let schemaV2 = """
        CREATE TABLE sources (
            id TEXT PRIMARY KEY,
            last_seen REAL,
            json TEXT NOT NULL
        );
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
        """

    /// What rules remember between inputs (`RuleMemory`) and silences, one row each; resolved
    /// alarms found by when they were resolved.
    private static let schemaV3 = """
        CREATE TABLE rule_memory (
            id TEXT PRIMARY KEY,
            json TEXT NOT NULL
        );
        CREATE TABLE silences (
            id TEXT PRIMARY KEY,
            until REAL NOT NULL,
            json TEXT NOT NULL
        );
        CREATE INDEX alarms_resolved_at ON alarms(resolved_at);
        UPDATE meta SET value = '3' WHERE key = 'schema_version';
        """
}
