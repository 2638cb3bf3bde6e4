import Foundation
import GRDB
import Testing
import VaktCore

@testable import VaktStore

@Suite("Audit keeping: reordering, cut tails, checkpoints, pruning")
struct AuditKeepingTests {
    private func checkpoint(_ store: Store, at seq: Int? = nil) throws -> AuditCheckpoint {
        let records = try store.auditRecords()
        let record = seq.map { s in records.first { $0.seq == s }! } ?? records.last!
        return AuditCheckpoint(site: "marker", seq: record.seq, hash: record.hash, writtenAt: Fixture.start)
    }

    @Test("two records swapped in place are caught")
    func reordered() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        // Swap the content of 30 and 31 (their seq stay), as a reordering of the file would.
        try dir.tamper(
            """
            UPDATE audit SET seq = -30 WHERE seq = 30;
            UPDATE audit SET seq = 30 WHERE seq = 31;
            UPDATE audit SET seq = 31 WHERE seq = -30;
            """)
        guard case .broken(let seq, let reason) = try store.verifyAudit() else {
            Issue.record("a reordering must break the chain")
            return
        }
        #expect(seq == 30)
        #expect(reason.contains("prev_hash"))
    }

    @Test("a cut tail verifies on its own, and is caught against the checkpoint")
    func cutTail() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let written = try checkpoint(store)
        try dir.tamper("DELETE FROM audit WHERE seq > 90")
        // What remains chains correctly: without a checkpoint nobody can tell.
        guard case .intact(count: 90, _) = try store.verifyAudit() else {
            Issue.record("the first 90 records still chain")
            return
        }
        guard case .broken(let seq, let reason) = try store.verifyAudit(checkpoint: written) else {
            Issue.record("the checkpoint must catch the cut")
            return
        }
        #expect(seq == 100)
        #expect(reason.contains("the log ends at record 90"))
        #expect(reason.contains("records 91-100"))
    }

    @Test("a log rewritten from some record on, hashes recomputed, is caught against the checkpoint")
    func rewritten() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let written = try checkpoint(store, at: 60)
        // Rewrite 50...100 consistently: a forger with the file and the algorithm.
        var previous = try store.auditRecords()[48].hash
        for var record in try store.auditRecords().filter({ $0.seq >= 50 }) {
            record.detail["note"] = "rewritten"
            record.prevHash = previous
            record.hash = record.computedHash()
            previous = record.hash
            let detail = String(decoding: CanonicalJSON.bytes(.strings(record.detail)), as: UTF8.self)
            try dir.tamper(
                "UPDATE audit SET detail = '\(detail)', prev_hash = '\(record.prevHash)', hash = '\(record.hash)' WHERE seq = \(record.seq)"
            )
        }
        guard case .intact = try store.verifyAudit() else {
            Issue.record("a consistent rewrite chains")
            return
        }
        guard case .broken(60, let reason) = try store.verifyAudit(checkpoint: written) else {
            Issue.record("the checkpoint must catch the rewrite")
            return
        }
        #expect(reason.contains("rewritten"))
    }

    @Test("the checkpoint file round-trips and is replaced whole")
    func checkpointFile() throws {
        let dir = try ScratchDirectory()
        let file = (dir.path as NSString).appendingPathComponent("checkpoint.json")
        let first = AuditCheckpoint(
            site: "marker", seq: 7, hash: String(repeating: "a", count: 64), writtenAt: Fixture.start)
        try first.write(file: file)
        #expect(try AuditCheckpoint.read(file: file) == first)
        let second = AuditCheckpoint(
            site: "marker", seq: 8, hash: String(repeating: "b", count: 64), writtenAt: Fixture.start)
        try second.write(file: file)
        #expect(try AuditCheckpoint.read(file: file) == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["checkpoint.json"])
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix(#"{"hash":"bbbb"#))
        #expect(text.contains(#""written_at":"2026-11-26T01:14:00.000Z""#))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: StoreError.self) { try AuditCheckpoint.read(file: file) }
    }

    @Test("pruning leaves a log that verifies from the first record kept, and the checkpoint still holds")
    func prune() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let before = try checkpoint(store)
        // Records of batches 0-9 are before the cutoff: 40 records.
        let cutoff = Fixture.start.addingTimeInterval(10 * 1.2345678 - 0.001)
        let dry = try store.prune(
            auditBefore: cutoff, eventsBefore: cutoff, at: Fixture.start, actor: "test", dryRun: true)
        #expect(dry.auditRecords == 40)
        #expect(dry.events == 10)
        #expect(try store.auditRecords().count == 100)
        let result = try store.prune(auditBefore: cutoff, eventsBefore: cutoff, at: Fixture.start, actor: "test")
        #expect(result.auditRecords == 40)
        #expect(result.firstKeptSeq == 41)
        let records = try store.auditRecords()
        #expect(records.first?.seq == 41)
        #expect(records.last?.action == "audit.pruned")
        #expect(records.last?.detail["first_kept_seq"] == "41")
        guard case .intact(count: 61, _) = try store.verifyAudit(checkpoint: before) else {
            Issue.record("a pruned log must verify: \(try store.verifyAudit(checkpoint: before))")
            return
        }
        // A second prune moves the anchor on; the chain still verifies.
        let later = Fixture.start.addingTimeInterval(20 * 1.2345678 - 0.001)
        try store.prune(auditBefore: later, eventsBefore: nil, at: Fixture.start, actor: "test")
        guard case .intact(count: 22, _) = try store.verifyAudit() else {
            Issue.record("a twice pruned log must verify: \(try store.verifyAudit())")
            return
        }
        // Pruned records can never be deleted in passing: the trigger is back.
        let queue = try DatabaseQueue(path: dir.databasePath)
        #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq = 90") }
        }
    }

    @Test("a prune of everything keeps the head, so seq numbers and checkpoints keep their meaning")
    func pruneEverything() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let before = try checkpoint(store)
        let older = try checkpoint(store, at: 50)
        let result = try store.prune(
            auditBefore: Fixture.start.addingTimeInterval(86_400), eventsBefore: nil, at: Fixture.start, actor: "test")
        #expect(result.firstKeptSeq == 100)
        #expect(try store.auditRecords().map(\.seq) == [100, 101])
        #expect(try store.verifyAudit(checkpoint: before) == .intact(count: 2, lastHash: try store.auditHead()!.hash))
        // Again the next day: still the head stays, still it verifies.
        try store.prune(
            auditBefore: Fixture.start.addingTimeInterval(2 * 86_400), eventsBefore: nil, at: Fixture.start,
            actor: "test")
        #expect(try store.auditRecords().map(\.seq) == [101, 102])
        // Record 100 is gone now, but it is what record 101 chains to: compared with the anchor.
        #expect(try store.verifyAudit(checkpoint: before) == .intact(count: 2, lastHash: try store.auditHead()!.hash))
        #expect(try store.checkpointPredatesPrune(before) == false)
        // Record 50 is long gone: nothing to compare it with, and the caller is told.
        #expect(try store.checkpointPredatesPrune(older))
    }

    @Test("a checkpoint of the last record pruned is compared with the prune's anchor")
    func checkpointAtTheAnchor() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let at40 = try checkpoint(store, at: 40)
        try store.prune(
            auditBefore: Fixture.start.addingTimeInterval(10 * 1.2345678 - 0.001), eventsBefore: nil,
            at: Fixture.start, actor: "test")
        #expect(try store.checkpointPredatesPrune(at40) == false)
        guard case .intact = try store.verifyAudit(checkpoint: at40) else {
            Issue.record("the anchor is record 40's hash")
            return
        }
        var forged = at40
        forged.hash = String(repeating: "f", count: 64)
        guard case .broken(40, let reason) = try store.verifyAudit(checkpoint: forged) else {
            Issue.record("a different hash for record 40 must be caught")
            return
        }
        #expect(reason.contains("anchor"))
    }

    @Test("alarm numbers are never reused after their alarms are pruned")
    func alarmNumbersSurvivePrune() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) {
            (1...3).map { number in
                var alarm = Fixture.alarm(number)
                alarm.state = .resolved
                alarm.resolvedAt = Fixture.start.addingTimeInterval(60)
                return .saveAlarm(alarm)
            } + [.audit(Fixture.entry())]
        }
        #expect(try store.nextAlarmNumber() == 4)
        let result = try store.prune(
            auditBefore: Fixture.start.addingTimeInterval(86_400), eventsBefore: nil, at: Fixture.start, actor: "test")
        #expect(result.alarms == 3)
        #expect(try store.alarms(includeResolved: true).isEmpty)
        #expect(try Store(directory: dir.path).nextAlarmNumber() == 4)
    }

    @Test("records cut from the start without a prune record are caught; so is a forged anchor")
    func cutStart() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        try dir.tamper("DELETE FROM audit WHERE seq < 11")
        guard case .broken(11, let reason) = try store.verifyAudit() else {
            Issue.record("a cut start must break the chain")
            return
        }
        #expect(reason.contains("no audit.pruned record"))

        let other = try ScratchDirectory()
        let pruned = try Fixture.storeWithHundredRecords(other)
        try pruned.prune(
            auditBefore: Fixture.start.addingTimeInterval(5 * 1.2345678 - 0.001), eventsBefore: nil, at: Fixture.start,
            actor: "test")
        // Removing more after the prune: the prune record no longer names the first record.
        try other.tamper("DELETE FROM audit WHERE seq < 30")
        guard case .broken(30, let moved) = try pruned.verifyAudit() else {
            Issue.record("records removed after a prune must be caught")
            return
        }
        #expect(moved.contains("kept records from 21 on"))

        // A prune record whose anchor was changed no longer matches its own hash.
        let third = try ScratchDirectory()
        let anchored = try Fixture.storeWithHundredRecords(third)
        try anchored.prune(
            auditBefore: Fixture.start.addingTimeInterval(5 * 1.2345678 - 0.001), eventsBefore: nil, at: Fixture.start,
            actor: "test")
        let prune = try #require(try anchored.auditRecords().last)
        var detail = prune.detail
        detail["anchor_hash"] = String(repeating: "0", count: 64)
        let text = String(decoding: CanonicalJSON.bytes(.strings(detail)), as: UTF8.self)
        try third.tamper("UPDATE audit SET detail = '\(text)' WHERE seq = \(prune.seq)")
        guard case .broken(let seq, _) = try anchored.verifyAudit() else {
            Issue.record("a forged anchor must break the chain")
            return
        }
        #expect(seq == 21 || seq == prune.seq)
    }

    @Test("an open alarm keeps its whole story through a prune")
    func pruneKeepsOpenAlarms() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) { Fixture.raiseEffects(1) }
        for minute in 1...10 {
            _ = try store.commit(event: nil) {
                [
                    .audit(
                        Fixture.entry(.hubStarted, alarm: "", at: Fixture.start.addingTimeInterval(Double(minute) * 60))
                    )
                ]
            }
        }
        let result = try store.prune(
            auditBefore: Fixture.start.addingTimeInterval(3600), eventsBefore: nil, at: Fixture.start, actor: "test")
        #expect(result.auditRecords == 0)
        #expect(try store.timeline(alarm: "A1").count == 2)
        #expect(try store.alarm(id: "A1") != nil)
    }

    @Test("export filters: until, resident, actions")
    func filters() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) { Fixture.raiseEffects(1) }
        _ = try store.commit(event: nil) {
            [
                .audit(
                    AuditEntry(
                        at: Fixture.start.addingTimeInterval(60), actor: "staff:kari", action: .testStarted,
                        detail: ["room": "103"])),
                .audit(
                    AuditEntry(
                        at: Fixture.start.addingTimeInterval(120), actor: "staff:kari", action: .testStarted,
                        detail: ["room": "104"])),
            ]
        }
        func seqs(_ filter: AuditFilter) throws -> [Int] {
            var out: [Int] = []
            try store.forEachAuditRecord(filter) { out.append($0.seq) }
            return out
        }
        #expect(try seqs(AuditFilter(until: Fixture.start.addingTimeInterval(60))) == [1, 2])
        #expect(try seqs(AuditFilter(resident: "r103", room: "103")) == [1, 2, 3])
        #expect(try seqs(AuditFilter(resident: "r104", room: "104")) == [4])
        #expect(try seqs(AuditFilter(actions: [.testStarted])) == [3, 4])
    }
}

@Suite("Pseudonymised records")
struct PseudonymiserTests {
    @Test("people, rooms and devices become stable keyed pseudonyms; free text and hashes go")
    func pseudonymise() throws {
        let secret = Data("0123456789abcdef0123456789abcdef".utf8)
        let pseudonymiser = try AuditPseudonymiser(secret: secret)
        let record = AuditRecord(
            seq: 5, at: Fixture.start, actor: "staff:kari", action: "alarm.resolved", alarm: "A1", channel: "sms",
            recipient: "kin-ola", result: "ok",
            detail: ["room": "103", "outcome": "assisted", "note": "Ola Nordmann was on the floor", "raw": "{}"],
            prevHash: "x", hash: "y")
        let out = pseudonymiser.apply(record)
        #expect(out.actor.hasPrefix("staff:p-"))
        #expect(!out.actor.contains("kari"))
        #expect(out.recipient == pseudonymiser.pseudonym("kin-ola"))
        #expect(out.detail["room"] == pseudonymiser.pseudonym("103"))
        #expect(out.detail["outcome"] == "assisted")
        #expect(out.detail["note"] == nil)
        #expect(out.detail["raw"] == nil)
        #expect(out.hash.isEmpty && out.prevHash.isEmpty)
        // A test mode's device list is ids: each gets its pseudonym; a config's count stays.
        var test = record
        test.action = "test.started"
        test.detail = ["devices": "room101-fall,room101-sos", "room": "101"]
        #expect(
            pseudonymiser.apply(test).detail["devices"]
                == [pseudonymiser.pseudonym("room101-fall"), pseudonymiser.pseudonym("room101-sos")].joined(
                    separator: ","))
        var loaded = record
        loaded.action = "config.loaded"
        loaded.detail = ["devices": "23", "rules": "15"]
        #expect(pseudonymiser.apply(loaded).detail == ["devices": "23", "rules": "15"])
        // `reason` is a code for an escalation, free text elsewhere (a gateway's answer).
        var failed = record
        failed.action = "notification.failed"
        failed.detail = ["reason": "HTTP 400: unknown number +4790000001", "attempt": "2"]
        #expect(pseudonymiser.apply(failed).detail == ["attempt": "2"])
        var escalated = record
        escalated.action = "alarm.escalated"
        escalated.detail = ["reason": "unacknowledged", "tier": "1"]
        #expect(pseudonymiser.apply(escalated).detail == ["reason": "unacknowledged", "tier": "1"])
        #expect(out.alarm == "A1" && out.seq == 5 && out.action == "alarm.resolved")
        // Stable for one secret, different for another.
        #expect(try AuditPseudonymiser(secret: secret).pseudonym("103") == out.detail["room"])
        let other = try AuditPseudonymiser(secret: Data("another secret of enough length".utf8))
        #expect(other.pseudonym("103") != out.detail["room"])
        #expect(throws: StoreError.self) { try AuditPseudonymiser(secret: Data("short\n".utf8)) }
        var line: [UInt8] = []
        AuditExport.appendJSONL(out, chain: false, to: &line)
        #expect(!String(decoding: line, as: UTF8.self).contains("hash"))
        #expect(!AuditExport.csvRow(out, chain: false).contains("kari"))
    }
}

@Suite("Backup and restore")
struct BackupTests {
    @Test("a backup is one instant of the store: writes during it are not in it, and it verifies")
    func backupWhileWriting() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        // Enough pages for a backup in several steps (256 pages each).
        let padding = String(repeating: "x", count: 2000)
        for batch in 0..<20 {
            _ = try store.commit(event: nil) {
                (0..<50).map { .audit(Fixture.entry(alarm: "A\(batch)", note: "\(padding) \($0)")) }
            }
        }
        let before = try #require(try store.auditHead()).seq
        let writer = try Store(directory: dir.path)
        let file = (dir.path as NSString).appendingPathComponent("backup.sqlite")
        var steps = 0
        try store.backup(to: file) { done, total in
            steps += 1
            // Mid-backup, another connection commits: the copy must not see it.
            if steps == 1, done < total {
                _ = try? writer.commit(event: nil) { [.audit(Fixture.entry(alarm: "A99", note: "during"))] }
            }
        }
        #expect(steps > 1)
        #expect(try store.auditHead()?.seq == before + 1)
        #expect(
            try Store.verifyAudit(file: file)
                == .intact(count: before, lastHash: try store.auditRecords()[before - 1].hash))
        #expect(throws: StoreError.self) { try store.backup(to: file) }

        let target = try ScratchDirectory()
        #expect(try Store.restore(from: file, into: target.path, at: Fixture.start) == nil)
        #expect(try Store(directory: target.path).auditHead()?.seq == before)
        // Restoring over a store keeps the old one aside.
        let kept = try Store.restore(from: file, into: target.path, at: Fixture.start)
        #expect(kept.map { FileManager.default.fileExists(atPath: $0) } == true)
    }

    @Test("restoring an older backup never gives an alarm number again")
    func restoreKeepsNumbering() throws {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) { (1...2).map { .saveAlarm(Fixture.alarm($0)) } }
        let file = (dir.path as NSString).appendingPathComponent("backup.sqlite")
        try store.backup(to: file)
        _ = try store.commit(event: nil) { (3...5).map { .saveAlarm(Fixture.alarm($0)) } }
        #expect(try store.nextAlarmNumber() == 6)
        try Store.restore(from: file, into: dir.path, at: Fixture.start)
        let restored = try Store(directory: dir.path)
        #expect(try restored.alarms(includeResolved: true).map(\.id) == ["A1", "A2"])
        #expect(try restored.nextAlarmNumber() == 6)
    }

    @Test("a corrupt store can be replaced by a restore, and is kept aside as it was")
    func restoreOverCorrupt() throws {
        let dir = try ScratchDirectory()
        let store = try Fixture.storeWithHundredRecords(dir)
        let file = (dir.path as NSString).appendingPathComponent("backup.sqlite")
        try store.backup(to: file)
        let target = try ScratchDirectory()
        try Data("this is not a database".utf8).write(to: URL(fileURLWithPath: target.databasePath))
        let kept = try #require(try Store.restore(from: file, into: target.path, at: Fixture.start))
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == "this is not a database")
        guard case .intact(count: 100, _) = try Store(directory: target.path).verifyAudit() else {
            Issue.record("the restored store must verify")
            return
        }
    }

    @Test("a file that is not a Vakt store is refused before anything is touched")
    func notAStore() throws {
        let dir = try ScratchDirectory()
        let bogus = (dir.path as NSString).appendingPathComponent("bogus.sqlite")
        let queue = try DatabaseQueue(path: bogus)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        try queue.close()
        let target = try ScratchDirectory()
        _ = try Fixture.storeWithHundredRecords(target)
        #expect(throws: (any Error).self) { try Store.restore(from: bogus, into: target.path, at: Fixture.start) }
        #expect(try Store(directory: target.path).auditRecords().count == 100)
    }
}
