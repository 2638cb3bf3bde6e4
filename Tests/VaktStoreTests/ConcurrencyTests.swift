import Dispatch
import Foundation
import Testing
import VaktCore

@testable import VaktStore

@Suite("Several writers and readers")
struct ConcurrencyTests {
    @Test("two stores on one file, committing from four threads, keep one unbroken chain")
    func concurrentWriters() throws {
        let dir = try ScratchDirectory()
        // Two pools on one file behave like two processes: SQLite's file lock arbitrates.
        let stores = [try Store(directory: dir.path), try Store(directory: dir.path)]
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let store = stores[worker % 2]
            for index in 0..<25 {
                do {
                    _ = try store.commit(event: Fixture.event("w\(worker)-\(index)")) {
                        [.audit(Fixture.entry(alarm: "A\(worker)", note: "\(worker)/\(index)"))]
                    }
                    _ = try store.auditRecords(since: Fixture.start)
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.all.isEmpty)
        let records = try stores[0].auditRecords()
        #expect(records.map(\.seq) == Array(1...100))
        #expect(try stores[1].verifyAudit() == .intact(count: 100, lastHash: records.last!.hash))
        #expect(try stores[1].eventCounts() == ["accepted": 100])
    }
}

/// Errors collected from worker threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ item: String) {
        lock.lock()
        defer { lock.unlock() }
        items.append(item)
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
