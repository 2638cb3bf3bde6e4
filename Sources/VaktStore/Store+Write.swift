import Foundation
import GRDB
import VaktCore

extension Store {
    /// Runs `body` in one `BEGIN IMMEDIATE` transaction on the writer, committing when it
    /// returns and rolling back when it throws.
    ///
    /// IMMEDIATE takes SQLite's write lock up front. Another process writing the same file
    /// (a second hub by mistake, a maintenance tool) then makes this wait for the busy timeout
    /// instead of failing half-way with `SQLITE_BUSY` after it has read the audit chain head.
    ///
    /// Inside `batch`, on the thread running it, `body` joins the batch's transaction instead:
    /// it commits or rolls back with the rest of the batch.
    ///
    /// - Throws: Whatever `body` throws; `DatabaseError`; `StoreError.Code.diskFull`.
    func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        if let db = open.database() { return try body(db) }
        return try StoreError.wrappingDiskFull(path: path) {
            try pool.writeWithoutTransaction { db in
                var value: T?
                queued.begin()
                try db.inTransaction(.immediate) {
                    value = try body(db)
                    return .commit
                }
                queued.publish()
                // inTransaction returns only after `.commit` succeeded, which set `value`.
                return value!
            }
        }
    }

    /// Runs `body` in one write transaction that every write made from it joins (each
    /// `commit`, `recordAttempt`, `setMeta` ...): one fsync for all of them, and all or none.
    ///
    /// What `body` reads through the store's other methods comes from other connections and
    /// does not see the batch's writes until it has committed.
    ///
    /// - Throws: Whatever `body` throws; `DatabaseError`; `StoreError.Code.diskFull`. Nothing of
    ///   the batch is written then.
    ///
    /// Rows where only the last value counts (a source's health, the MQTT session's counters)
    /// are written once, when `body` has returned, with the last value each was given: a
    /// batch of twenty messages from one device updates its row once, not twenty times.
    public func batch<T>(_ body: () throws -> T) throws -> T {
        // A batch inside a batch would end the outer one's joining and drop what it deferred.
        precondition(open.database() == nil, "Store.batch does not nest")
        return try writeTransaction { db in
            open.set(db)
            defer { open.set(nil) }
            let value = try body()
            let (sources, session) = open.takeDeferred()
            for state in sources { try Self.saveSource(state, db) }
            if let session { try Self.saveSession(session, db) }
            return value
        }
    }
}

/// The database connection of a batch in progress, for the thread running it only, and the
/// rows it writes once at its end (see `Store.batch`).
final class OpenTransaction: @unchecked Sendable {
    private let lock = NSLock()
    private var db: Database?
    private var thread: pthread_t?
    private var sources: [String: SourceState] = [:]
    private var session: MQTTSessionUpdate?

    /// Starts (`db`) or ends (`nil`) a batch; what was deferred and not taken is dropped.
    func set(_ db: Database?) {
        lock.withLock {
            self.db = db
            thread = db == nil ? nil : pthread_self()
            sources = [:]
            session = nil
        }
    }

    /// Keeps `state` to be written when the batch ends (a later state of the source replaces it).
    func deferSource(_ state: SourceState) {
        lock.withLock { sources[state.id] = state }
    }

    /// Keeps `update` to be written when the batch ends (a later update replaces it).
    func deferSession(_ update: MQTTSessionUpdate) {
        lock.withLock { session = update }
    }

    /// What was deferred, in a fixed order, emptied.
    func takeDeferred() -> (sources: [SourceState], session: MQTTSessionUpdate?) {
        lock.withLock {
            defer {
                sources = [:]
                session = nil
            }
            return (sources.keys.sorted().compactMap { sources[$0] }, session)
        }
    }

    /// The batch's connection when called on the thread running the batch.
    func database() -> Database? {
        lock.withLock {
            guard let db, let thread, pthread_equal(thread, pthread_self()) != 0 else { return nil }
            return db
        }
    }
}

/// Notifications queued by committed transactions, handed to the dispatcher in memory so a
/// fresh alarm's first notification need not wait for a read of the outbox (see
/// `Store.takeFreshlyQueued`).
///
/// Only the writer adds (one transaction at a time): what a transaction queues is kept aside
/// until it commits, and dropped if it rolls back.
final class QueuedHandoff: @unchecked Sendable {
    /// How many committed notifications wait at most; beyond, the oldest are dropped, and the
    /// dispatcher finds them in the outbox instead.
    static let limit = 64

    private let lock = NSLock()
    private var pending: [OutboxItem] = []
    private var ready: [OutboxItem] = []

    /// A transaction starts: anything a rolled-back one left is dropped.
    func begin() {
        lock.withLock { pending.removeAll(keepingCapacity: true) }
    }

    /// The transaction in progress inserted this outbox row.
    func add(_ item: OutboxItem) {
        lock.withLock { pending.append(item) }
    }

    /// The transaction in progress has committed.
    func publish() {
        lock.withLock {
            guard !pending.isEmpty else { return }
            ready.append(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
            if ready.count > Self.limit { ready.removeFirst(ready.count - Self.limit) }
        }
    }

    func take() -> [OutboxItem] {
        lock.withLock {
            defer { ready.removeAll(keepingCapacity: true) }
            return ready
        }
    }
}
