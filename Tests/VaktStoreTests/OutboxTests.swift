import Foundation
import GRDB
import Testing
import VaktCore

@testable import VaktStore

@Suite("Outbox")
struct OutboxTests {
    private let key1 = "site:A1:t0:r0:s1:webhook"
    private let key2 = "site:A2:t0:r0:s1:webhook"

    private func storeWithTwo(_ dir: ScratchDirectory) throws -> Store {
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) { Fixture.raiseEffects(1) }
        _ = try store.commit(event: nil) { Fixture.raiseEffects(2, at: Fixture.start + 10) }
        return store
    }

    @Test("new notifications are due at the engine's instant, oldest first, up to the limit")
    func due() throws {
        let dir = try ScratchDirectory()
        let store = try storeWithTwo(dir)
        #expect(try store.dueOutbox(at: Fixture.start - 1, limit: 10).isEmpty)
        #expect(try store.dueOutbox(at: Fixture.start, limit: 10).map(\.notification.key) == [key1])
        #expect(try store.dueOutbox(at: Fixture.start + 10, limit: 10).map(\.notification.key) == [key1, key2])
        #expect(try store.dueOutbox(at: Fixture.start + 10, limit: 1).map(\.notification.key) == [key1])
        #expect(try store.nextOutboxDue() == Fixture.start)
        #expect(try store.dueOutbox(at: Fixture.start, limit: 1).first?.notification == Fixture.notification(key1))
    }

    @Test("a retryable failure moves the due instant; the attempt's audit commits with it")
    func retry() throws {
        let dir = try ScratchDirectory()
        let store = try storeWithTwo(dir)
        let retryAt = Fixture.start + 60
        try store.recordAttempt(
            key: key1, attempt: 1, result: .failed(reason: "HTTP 503", retryable: true), final: false,
            nextAttemptAt: retryAt
        ) {
            [
                .audit(
                    AuditEntry(
                        at: Fixture.start + 1, actor: "channel:webhook", action: .notificationRetrying, alarm: "A1",
                        result: "failed"))
            ]
        }
        #expect(try store.dueOutbox(at: Fixture.start + 30, limit: 10).map(\.notification.key) == [key2])
        #expect(try store.nextOutboxDue() == Fixture.start + 10)
        let item = try store.dueOutbox(at: retryAt, limit: 10).first { $0.notification.key == key1 }
        #expect(item?.attempts == 1)
        #expect(item?.nextAttemptAt == retryAt)
        #expect(try store.timeline(alarm: "A1").last?.action == "notification.retrying")
    }

    @Test("delivered and failed-for-good leave the queue")
    func finalStates() throws {
        let dir = try ScratchDirectory()
        let store = try storeWithTwo(dir)
        try store.recordAttempt(key: key1, attempt: 1, result: .delivered, final: true, nextAttemptAt: nil) { [] }
        try store.recordAttempt(
            key: key2, attempt: 1, result: .failed(reason: "HTTP 400", retryable: false), final: true,
            nextAttemptAt: nil
        ) { [] }
        #expect(try store.dueOutbox(at: Fixture.start + 3600, limit: 10).isEmpty)
        #expect(try store.nextOutboxDue() == nil)
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT key, state, attempts, last_error FROM outbox ORDER BY key")
                .map { [$0["key"], $0["state"], String($0["attempts"] as Int), $0["last_error"] ?? "-"] as [String] }
        }
        #expect(rows == [[key1, "delivered", "1", "-"], [key2, "failed", "1", "HTTP 400"]])
    }

    @Test("an attempt for an unknown key, or a throwing engine, changes nothing")
    func failures() throws {
        let dir = try ScratchDirectory()
        let store = try storeWithTwo(dir)
        let before = try store.auditRecords().count
        do {
            try store.recordAttempt(key: "nope", attempt: 1, result: .delivered, final: true, nextAttemptAt: nil) {
                [.audit(Fixture.entry())]
            }
            Issue.record("expected unknownNotification")
        } catch StoreError.Code.unknownNotification {}
        #expect(throws: Boom.self) {
            try store.recordAttempt(key: key1, attempt: 1, result: .delivered, final: true, nextAttemptAt: nil) {
                throw Boom()
            }
        }
        #expect(try store.auditRecords().count == before)
        #expect(try store.dueOutbox(at: Fixture.start, limit: 10).first?.attempts == 0)
    }

    @Test("what committed transactions queued is handed over once, in order; what rolled back is not")
    func freshlyQueued() throws {
        struct Refused: Error {}
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        #expect(store.takeFreshlyQueued().isEmpty)
        _ = try store.commit(event: nil) { Fixture.raiseEffects(1) }
        _ = try store.commit(event: nil) { Fixture.raiseEffects(2, at: Fixture.start + 10) }
        #expect(throws: Refused.self) {
            try store.writeTransaction { db in
                // Inserted, then rolled back with the rest of the transaction.
                try store.persist(Fixture.raiseEffects(3), now: Fixture.start, db)
                throw Refused()
            }
        }
        let taken = store.takeFreshlyQueued()
        #expect(taken.map(\.notification.key) == [key1, key2])
        #expect(taken.map(\.attempts) == [0, 0])
        #expect(taken.map(\.nextAttemptAt) == [Fixture.start, Fixture.start + 10])
        #expect(taken.first?.notification == Fixture.notification(key1))
        #expect(store.takeFreshlyQueued().isEmpty, "taken once")
        // A key already queued is not queued again (INSERT OR IGNORE), so it is not handed over.
        _ = try store.commit(event: nil) { [.enqueue(Fixture.notification(key1))] }
        #expect(store.takeFreshlyQueued().isEmpty)
    }

    @Test("a batch hands its notifications over when it commits, and none when it fails")
    func freshlyQueuedInABatch() throws {
        struct Refused: Error {}
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        try store.batch {
            _ = try store.commit(event: nil) { Fixture.raiseEffects(1) }
            #expect(store.takeFreshlyQueued().isEmpty, "not before the batch commits")
            _ = try store.commit(event: nil) { Fixture.raiseEffects(2, at: Fixture.start + 10) }
        }
        #expect(store.takeFreshlyQueued().map(\.notification.key) == [key1, key2])
        #expect(throws: Refused.self) {
            try store.batch {
                _ = try store.commit(event: nil) { Fixture.raiseEffects(3) }
                throw Refused()
            }
        }
        #expect(store.takeFreshlyQueued().isEmpty)
        #expect(try store.dueOutbox(at: Fixture.start + 60, limit: 10).map(\.notification.key) == [key1, key2])
    }

    @Test("the hand-over keeps the newest when nobody takes it; the outbox keeps them all")
    func freshlyQueuedIsBounded() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        let count = QueuedHandoff.limit + 5
        for number in 1...count {
            _ = try store.commit(event: nil) { [.enqueue(Fixture.notification("k\(number)", alarm: "A\(number)"))] }
        }
        let taken = store.takeFreshlyQueued().map(\.notification.key)
        #expect(taken == (6...count).map { "k\($0)" })
        #expect(try store.dueOutbox(at: Date(), limit: 1000).count == count)
    }

    @Test("an attempt already recorded, or made on a row delivered since, changes nothing")
    func staleAttempts() throws {
        let dir = try ScratchDirectory()
        let store = try storeWithTwo(dir)
        let retrying = DeliveryResult.failed(reason: "HTTP 503", retryable: true)
        try store.recordAttempt(key: key1, attempt: 1, result: retrying, final: false, nextAttemptAt: Fixture.start) {
            []
        }
        let before = try store.auditRecords().count
        // Attempt 1 again (a second copy of it): not counted twice, its effects not stored.
        let twice = #expect(throws: StoreError.self) {
            try store.recordAttempt(key: key1, attempt: 1, result: retrying, final: false, nextAttemptAt: nil) {
                [.audit(Fixture.entry(.notificationRetrying))]
            }
        }
        #expect(twice?.code == .staleAttempt)
        #expect(twice?.message.contains("pending after 1 attempt") == true, "\(String(describing: twice))")
        try store.recordAttempt(key: key1, attempt: 2, result: .delivered, final: true, nextAttemptAt: nil) { [] }
        // A late failure of a stale attempt 2 does not take the delivered row back to pending.
        let late = #expect(throws: StoreError.self) {
            try store.recordAttempt(
                key: key1, attempt: 2, result: .failed(reason: "timeout", retryable: true), final: false,
                nextAttemptAt: Fixture.start
            ) { [] }
        }
        #expect(late?.code == .staleAttempt)
        #expect(try store.auditRecords().count == before)
        let row = try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT state, attempts, last_error FROM outbox WHERE key = ?", arguments: [key1])
        }
        #expect(row?["state"] == "delivered")
        #expect(row?["attempts"] == 2)
        #expect(row?["last_error"] as String? == nil)
    }
}
