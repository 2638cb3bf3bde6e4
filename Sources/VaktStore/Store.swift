import Foundation
import GRDB

/// Vakt's durable state in one SQLite file: the event log, alarms, timers, the outbox, the
/// hash-chained audit log and the MQTT session.
///
/// A `Store` wraps a GRDB `DatabasePool` in WAL mode, so the hub writes while the CLI and
/// services read. Every write that belongs to one input goes through ``commit(event:session:apply:)``
/// or ``recordAttempt(key:attempt:result:final:nextAttemptAt:apply:)``: one transaction each, so the
/// engine's state and the database never diverge.
///
/// Timestamps are stored as REAL unix seconds. Values that must come back bit for bit (an
/// alarm's instants, a timer's due instant) are also kept in the row's `json` column.
public final class Store: Sendable {
    /// The database file, `<directory>/vakt.sqlite`.
    public let path: String
    let pool: DatabasePool
    /// The transaction `batch` holds open, which writes on the same thread join.
    let open = OpenTransaction()
    let queued = QueuedHandoff()

    /// The file name inside the data directory.
    public static let fileName = "vakt.sqlite"

    /// Opens (or creates) the store in `directory` and migrates it to the current schema.
    ///
    /// Creates the directory when it is missing. The writer connection runs with
    /// `PRAGMA synchronous = FULL`: a committed input survives a power cut, not just a crash.
    ///
    /// - Parameter directory: The hub's data directory.
    /// - Throws: `StoreError` when the directory cannot be created or the disk is full;
    ///   GRDB's `DatabaseError` when SQLite refuses the file.
    public init(directory: String) throws {
        do {
            // Health data: the owner and the service's group only.
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw StoreError(
                .cannotCreateDirectory, "cannot create the data directory \(directory): \(error.localizedDescription)")
        }
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        self.path = path

        var configuration = Configuration()
        // The CLI opens the file while the hub writes; wait for the writer instead of failing.
        configuration.busyMode = .timeout(10)
        configuration.label = "vakt.store"
        pool = try StoreError.wrappingDiskFull(path: path) {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // DatabasePool sets synchronous = NORMAL on its writer after prepareDatabase runs,
            // so FULL has to be set here, on the writer, after opening.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try Self.migrator.migrate(pool)
            return pool
        }
    }

    /// Opens an existing store for reading only: no migration, no write, whatever version
    /// wrote it (`vakt replay` on a live hub's database).
    ///
    /// - Throws: GRDB's `DatabaseError` when there is no readable database.
    public init(readingDirectory directory: String) throws {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "vakt.store.read"
        pool = try DatabasePool(path: path, configuration: configuration)
    }
}
