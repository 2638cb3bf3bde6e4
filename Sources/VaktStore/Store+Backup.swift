import Foundation
import GRDB

extension Store {
    /// Copies the whole store to `file` through SQLite's online backup API, while the hub
    /// keeps writing: the copy is the database as of one instant (one read transaction).
    ///
    /// The copy is written next to `file` first and renamed into place when complete, so a
    /// failed backup never leaves a half-written file under the name asked for.
    ///
    /// - Parameter progress: Called after each step with the pages copied and the total.
    /// - Throws: `StoreError.Code.diskFull`; `DatabaseError`; a `StoreError` when `file`
    ///   already exists.
    public func backup(to file: String, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            throw StoreError(.cannotCreateDirectory, "\(file) already exists; choose a new file name for the backup")
        }
        let partial = file + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try StoreError.wrappingDiskFull(path: file) {
                let destination = try DatabaseQueue(path: partial)
                try pool.backup(to: destination, pagesPerStep: 256) { step in
                    progress?(step.completedPageCount, step.totalPageCount)
                }
                // A backup is one self-contained file: no WAL beside it.
                try destination.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA journal_mode = DELETE")
                }
                try destination.close()
            }
            guard rename(partial, file) == 0 else {
                throw StoreError(
                    .cannotCreateDirectory,
                    "cannot move the backup into place at \(file): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Replaces the store in `directory` with the backup in `file`, through the backup API
    /// (so the result is a consistent database whatever state the file's journal is in).
    ///
    /// The backup is copied to `vakt.sqlite.restoring` first and renamed into place only when
    /// whole, so a failure (a full disk) leaves the store that was there in place. That store is
    /// kept as `vakt.sqlite.before-restore-<time>` (its `-wal` and `-shm` beside it when it
    /// could not be opened to fold them in: a corrupt store can still be replaced). The hub
    /// must not be running on `directory` (the caller holds the hub's lock).
    ///
    /// - Returns: The path the previous store was moved to, if there was one.
    /// - Throws: `DatabaseError` when `file` is not a database; `StoreError`.
    @discardableResult
    public static func restore(from file: String, into directory: String, at now: Date) throws -> String? {
        guard FileManager.default.fileExists(atPath: file) else {
            throw StoreError(.corruptRow, "no backup at \(file)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: file, configuration: configuration)
        defer { try? source.close() }
        // Refuse anything that is not a Vakt store before touching the live one.
        let version = try? source.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'")
        }
        guard let version, let number = Int(version), number <= Store.schemaVersion else {
            throw StoreError(
                .corruptRow,
                "\(file) is not a Vakt store this version can read (schema \(version.map { $0 } ?? "none"))")
        }
        let manager = FileManager.default
        try manager.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let live = (directory as NSString).appendingPathComponent(fileName)
        let incoming = live + ".restoring"
        for suffix in ["", "-wal", "-shm", "-journal"] { try? manager.removeItem(atPath: incoming + suffix) }
        do {
            try StoreError.wrappingDiskFull(path: incoming) {
                let destination = try DatabaseQueue(path: incoming)
                try source.backup(to: destination)
                try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
                try destination.close()
            }
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? manager.removeItem(atPath: incoming + suffix) }
            throw error
        }
        var kept: String?
        if manager.fileExists(atPath: live) {
            let stamp = UTCMilliseconds.string(now).replacingOccurrences(of: ":", with: "")
            let aside = live + ".before-restore-" + stamp
            // Fold the WAL into the file when the old store opens, and carry its alarm numbering
            // over: numbers given after the backup was taken must not be given again (they name
            // alarms in the audit and in notifications already sent). A corrupt store is moved
            // with its WAL and shared-memory files as they are.
            if let old = try? DatabaseQueue(path: live) {
                _ = try? old.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
                if let highest = try? old.read({ db in try highestAlarmNumber(db) }) {
                    let restored = try DatabaseQueue(path: incoming)
                    try restored.write { db in try raiseAlarmNumberFloor(to: highest, db) }
                    try restored.close()
                }
                try? old.close()
            }
            try manager.moveItem(atPath: live, toPath: aside)
            for suffix in ["-wal", "-shm"] where manager.fileExists(atPath: live + suffix) {
                try? manager.moveItem(atPath: live + suffix, toPath: aside + suffix)
            }
            kept = aside
        }
        guard rename(incoming, live) == 0 else {
            let reason = String(cString: strerror(errno))
            // Put the old store back as it was, sidecars included.
            if let kept {
                try? manager.moveItem(atPath: kept, toPath: live)
                for suffix in ["-wal", "-shm"] where manager.fileExists(atPath: kept + suffix) {
                    try? manager.moveItem(atPath: kept + suffix, toPath: live + suffix)
                }
            }
            try? manager.removeItem(atPath: incoming)
            throw StoreError(.cannotCreateDirectory, "cannot move the restored store into place at \(live): \(reason)")
        }
        return kept
    }
}
