import Foundation
import GRDB
import Testing
import VaktCore

@testable import VaktStore

@Suite("Audit chain")
struct AuditChainTests {
    @Test("100 records across many commits verify intact")
    func intact() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let records = try store.auditRecords()
        #expect(records.map(\.seq) == Array(1...100))
        #expect(records.first?.prevHash == AuditRecord.genesisHash)
        #expect(try store.verifyAudit() == .intact(count: 100, lastHash: records.last!.hash))
        #expect(AuditChainVerifier.verify(records) == .intact(count: 100, lastHash: records.last!.hash))
    }

    @Test("an empty log is intact")
    func empty() throws {
        let dir = try ScratchDirectory()
        #expect(try Store(directory: dir.path).verifyAudit() == .intact(count: 0, lastHash: AuditRecord.genesisHash))
    }

    @Test("the triggers refuse UPDATE and DELETE of audit rows")
    func appendOnly() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let queue = try DatabaseQueue(path: dir.databasePath)
        #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: "UPDATE audit SET actor = 'staff:mallory' WHERE seq = 42") }
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq = 100") }
        }
        #expect(try store.verifyAudit() == .intact(count: 100, lastHash: try store.auditRecords().last!.hash))
    }

    @Test("editing a record, with the trigger dropped, breaks the chain at that record")
    func tamperedContent() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        try dir.tamper("UPDATE audit SET actor = 'staff:mallory' WHERE seq = 42")
        #expect(try store.verifyAudit() == .broken(seq: 42, reason: "hash does not match the record's content"))
    }

    @Test("recomputing a tampered record's hash breaks the link to the next one")
    func tamperedWithRehash() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        var forged = try store.auditRecords()[41]
        forged.detail["note"] = "nothing happened"
        forged.hash = forged.computedHash()
        let detail = String(decoding: CanonicalJSON.bytes(.strings(forged.detail)), as: UTF8.self)
        try dir.tamper("UPDATE audit SET detail = '\(detail)', hash = '\(forged.hash)' WHERE seq = 42")
        #expect(try store.verifyAudit() == .broken(seq: 43, reason: "prev_hash does not match the hash of record 42"))
    }

    @Test("a deleted record is a gap")
    func deletedRecord() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        try dir.tamper("DELETE FROM audit WHERE seq = 7")
        guard case .broken(let seq, let reason) = try store.verifyAudit() else {
            Issue.record("a gap must break the chain")
            return
        }
        #expect(seq == 8)
        #expect(reason.contains("record 7 is missing"))
    }

    @Test("a record edited to hold garbage is reported, not a crash")
    func garbage() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        try dir.tamper("UPDATE audit SET detail = 'not json', at = 'yesterday' WHERE seq = 5")
        guard case .broken(let seq, _) = try store.verifyAudit() else {
            Issue.record("garbage must break the chain")
            return
        }
        #expect(seq == 5)
    }

    @Test("appends continue the chain after a reopen")
    func reopen() throws {
        let dir = try ScratchDirectory()
        let head = try Fixture.storeWithHundredRecords(dir).auditRecords().last!
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) { [.audit(Fixture.entry())] }
        let last = try store.auditRecords().last!
        #expect(last.seq == 101)
        #expect(last.prevHash == head.hash)
        #expect(try store.verifyAudit() == .intact(count: 101, lastHash: last.hash))
    }

    @Test("since filters by instant; timeline by alarm")
    func queries() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let since = Fixture.start.addingTimeInterval(20 * 1.2345678)
        let recent = try store.auditRecords(since: since)
        #expect(recent.map(\.seq) == Array(81...100))
        #expect(
            AuditChainVerifier.verify(recent, fromGenesis: false) == .intact(count: 20, lastHash: recent.last!.hash))
        #expect(AuditChainVerifier.verify(recent) != .intact(count: 20, lastHash: recent.last!.hash))
        let timeline = try store.timeline(alarm: "A2")
        #expect(!timeline.isEmpty)
        #expect(timeline.allSatisfy { $0.alarm == "A2" })
        #expect(timeline.map(\.seq) == timeline.map(\.seq).sorted())
    }
}
