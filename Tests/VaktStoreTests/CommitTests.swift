import Foundation
import GRDB
import Testing
import VaktCore

@testable import VaktStore

@Suite("Store.commit")
struct CommitTests {
    @Test("an input and all its effects commit together")
    func commitsEverything() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        let effects = Fixture.raiseEffects(1) + [.reply(CommandReply(id: "r1", staff: "s1", ok: true, message: "ok"))]

        let result = try store.commit(
            event: Fixture.event("k1"), session: MQTTSessionUpdate(epoch: 3, lastMid: 17, wraps: 1)
        ) { effects }

        #expect(result == .committed(effects))
        #expect(
            try store.tableCounts() == [
                "events": 1, "alarms": 1, "timers": 1, "outbox": 1, "audit": 2, "mqtt_session": 1,
            ])
        #expect(try store.alarm(id: "A1") == Fixture.alarm(1))
        #expect(try store.pendingTimers() == [Fixture.timer("A1", due: Fixture.start.addingTimeInterval(120))])
        #expect(try store.mqttSession() == MQTTSession(epoch: 3, lastMid: 17, wraps: 1))
        #expect(try store.eventCounts() == ["accepted": 1])
        let due = try store.dueOutbox(at: Fixture.start, limit: 10)
        #expect(due.map(\.notification.key) == ["site:A1:t0:r0:s1:webhook"])
        #expect(due.first?.attempts == 0)
        #expect(try store.timeline(alarm: "A1").map(\.action) == ["alarm.raised", "notification.queued"])
    }

    @Test("a throwing apply leaves nothing behind")
    func throwingApplyRollsBack() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        #expect(throws: Boom.self) {
            try store.commit(event: Fixture.event("k1"), session: MQTTSessionUpdate(epoch: 1, lastMid: 1, wraps: 0)) {
                _ = Fixture.raiseEffects(1)
                throw Boom()
            }
        }
        #expect(
            try store.tableCounts() == [
                "events": 0, "alarms": 0, "timers": 0, "outbox": 0, "audit": 0, "mqtt_session": 0,
            ])
        // The same key commits afterwards: the failed attempt did not claim it.
        #expect(try store.commit(event: Fixture.event("k1")) { [] } == .committed([]))
    }

    @Test("a write that fails half-way rolls back the effects before it")
    func failingWriteRollsBack() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        // The alarm JSON cannot encode a non-finite date, so the second effect throws.
        var broken = Fixture.alarm(2)
        broken.lastEventAt = Date(timeIntervalSinceReferenceDate: .infinity)
        #expect(throws: (any Error).self) {
            try store.commit(event: Fixture.event("k1")) { Fixture.raiseEffects(1) + [.saveAlarm(broken)] }
        }
        #expect(
            try store.tableCounts() == [
                "events": 0, "alarms": 0, "timers": 0, "outbox": 0, "audit": 0, "mqtt_session": 0,
            ])
    }

    @Test("a duplicate event key writes nothing and does not run the engine")
    func duplicateKey() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: Fixture.event("k1"), session: MQTTSessionUpdate(epoch: 1, lastMid: 5, wraps: 0)) {
            Fixture.raiseEffects(1)
        }
        let before = try store.tableCounts()
        var called = false
        let result = try store.commit(
            event: Fixture.event("k1", at: Fixture.start.addingTimeInterval(5)),
            session: MQTTSessionUpdate(epoch: 1, lastMid: 6, wraps: 0)
        ) {
            called = true
            return Fixture.raiseEffects(2)
        }
        #expect(result == .duplicate)
        #expect(!called)
        #expect(try store.tableCounts() == before)
        #expect(try store.mqttSession().lastMid == 5)
    }

    @Test("inputs without an event record still commit, and timers can be cancelled")
    func noEventAndCancel() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) { Fixture.raiseEffects(1) }
        _ = try store.commit(event: nil) { [.cancelTimer(id: "A1:escalate")] }
        #expect(try store.pendingTimers().isEmpty)
        #expect(try store.eventCounts().isEmpty)
    }

    @Test("re-enqueueing a notification key keeps the first row")
    func enqueueIsIdempotent() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) { Fixture.raiseEffects(1) }
        let key = "site:A1:t0:r0:s1:webhook"
        try store.recordAttempt(
            key: key, attempt: 1, result: .failed(reason: "timeout", retryable: true), final: false,
            nextAttemptAt: Fixture.start.addingTimeInterval(30)
        ) { [] }
        _ = try store.commit(event: nil) { [.enqueue(Fixture.notification(key))] }
        let items = try store.dueOutbox(at: Fixture.start.addingTimeInterval(60), limit: 10)
        #expect(items.count == 1)
        #expect(items.first?.attempts == 1)
    }

    @Test("a full disk is a StoreError and nothing is written")
    func diskFull() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        let pages = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try store.pool.writeWithoutTransaction { db in
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
        let big = String(repeating: "x", count: 64 * 1024)
        do {
            _ = try store.commit(event: Fixture.event("k1")) {
                [.audit(Fixture.entry(note: big))]
            }
            Issue.record("expected the commit to fail")
        } catch StoreError.Code.diskFull {
            // expected
        }
        #expect(
            try store.tableCounts() == [
                "events": 0, "alarms": 0, "timers": 0, "outbox": 0, "audit": 0, "mqtt_session": 0,
            ])
    }
}

@Suite("Store.batch")
struct BatchTests {
    /// A source seen twice in a batch, and the session's counters, are written at its end,
    /// with their last values; events and everything else are written as they come.
    @Test func lastValueRowsEndWithTheLastValueEachWasGiven() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        var first = SourceState(id: "fall-103", watchedSince: Fixture.start)
        first.battery = 90
        var second = first
        second.battery = 40
        second.lastSeen = Fixture.start.addingTimeInterval(5)
        let other = SourceState(id: "door-101", watchedSince: Fixture.start)
        try store.batch {
            _ = try store.commit(event: Fixture.event("k1"), session: MQTTSessionUpdate(epoch: 2, lastMid: 7, wraps: 0))
            {
                [.saveSource(first), .saveSource(other)]
            }
            _ = try store.commit(event: Fixture.event("k2"), session: MQTTSessionUpdate(epoch: 2, lastMid: 8, wraps: 0))
            {
                [.saveSource(second), .audit(Fixture.entry())]
            }
        }
        #expect(try store.sources().sorted { $0.id < $1.id } == [other, second])
        #expect(try store.mqttSession() == MQTTSession(epoch: 2, lastMid: 8, wraps: 0))
        #expect(try store.tableCounts()["events"] == 2)
        #expect(try store.tableCounts()["audit"] == 1)
    }

    /// A batch that throws leaves no deferred row behind, and the next batch does not write it.
    @Test func aFailedBatchDropsWhatItDeferred() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        let state = SourceState(id: "fall-103", watchedSince: Fixture.start)
        #expect(throws: Boom.self) {
            try store.batch {
                _ = try store.commit(
                    event: Fixture.event("k1"), session: MQTTSessionUpdate(epoch: 1, lastMid: 1, wraps: 0)
                ) {
                    [.saveSource(state)]
                }
                throw Boom()
            }
        }
        try store.batch {
            _ = try store.commit(event: Fixture.event("k2")) { [] }
        }
        #expect(try store.sources().isEmpty)
        #expect(try store.mqttSession() == MQTTSession(epoch: 0, lastMid: nil, wraps: 0))
        #expect(try store.tableCounts()["events"] == 1)
    }
}
