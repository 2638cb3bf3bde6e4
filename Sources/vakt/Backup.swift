import ArgumentParser
import Foundation
import VaktCore
import VaktRuntime
import VaktStore

/// `vakt backup --to FILE`
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the store to a file, consistently, while the hub runs.",
        discussion: """
            Uses SQLite's online backup API: the copy is the whole database (alarms, timers, \
            outbox, device health and the audit log) as of one instant, whatever the hub is \
            writing meanwhile. The copy's audit chain is verified before the command says it \
            is done. Keep backups off the box (the municipality's file server) and test a \
            restore now and then: `vakt restore --from FILE --data /tmp/check` then \
            `vakt audit verify --data /tmp/check`.
            """)

    @OptionGroup var location: DataOption

    @Option(help: ArgumentHelp("The backup file to create (must not exist).", valueName: "file"))
    var to: String

    func run() throws {
        let site = try location.site()
        let store = try location.openStore(site: site)
        let progress = Progress(label: "backing up")
        do {
            try store.backup(to: to) { done, total in progress.show(done, of: total) }
        } catch {
            progress.end()
            printError("backup failed: \(error)")
            throw ExitCode(1)
        }
        progress.end()
        try verifyCopy(at: to)
        let size = (try? FileManager.default.attributesOfItem(atPath: to)[.size] as? Int) ?? 0
        print("backup written to \(to) (\(size / 1024) KiB)")
    }

    /// Verifies the backup's audit chain in place, read-only. A copy that does not verify is
    /// renamed `FILE.unverified`, so nobody takes it for a good backup.
    private func verifyCopy(at file: String) throws {
        let result: AuditVerification
        do {
            result = try Store.verifyAudit(file: file)
        } catch {
            result = .broken(seq: 0, reason: "the copy cannot be read: \(error)")
        }
        switch result {
        case .intact(let count, _):
            print("the backup's audit chain verifies: \(count) records")
        case .broken(let seq, let reason):
            let aside = file + ".unverified"
            _ = rename(file, aside)
            printError("the backup's audit chain is BROKEN at record \(seq): \(reason); the copy is kept as \(aside)")
            throw ExitCode(1)
        }
    }
}

/// `vakt restore --from FILE`
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the store with a backup (the hub must be stopped).",
        discussion: """
            The backup's audit chain is verified first; a backup that does not verify is \
            refused. The store that was there is kept beside it as \
            vakt.sqlite.before-restore-<time>. A store.restored record is appended to the \
            restored log, and the audit checkpoint is rewritten to the restored head: the \
            record says which checkpoint the log had reached before, so records lost with the \
            restore stay on record as lost.
            """)

    @OptionGroup var location: DataOption

    @Option(help: ArgumentHelp("The backup file made by `vakt backup`.", valueName: "file"))
    var from: String

    func run() throws {
        let site = try location.site()
        let directory = try location.directory(site: site)
        let lock: HubLock
        do {
            lock = try HubLock.acquire(dataDirectory: directory)
        } catch let error as StartupError {
            printError("cannot restore: \(error.description)")
            throw ExitCode(1)
        }
        defer { withExtendedLifetime(lock) {} }
        let checkpointFile = try location.checkpointFile(site: site)
        let previous = try? AuditCheckpoint.read(file: checkpointFile)
        let now = Date()
        // Refuse a backup that does not verify before touching anything.
        let verification: AuditVerification
        do {
            verification = try Store.verifyAudit(file: from)
        } catch {
            printError("cannot read the backup \(from): \(error)")
            throw ExitCode(1)
        }
        if case .broken(let seq, let reason) = verification {
            printError("refusing the backup: its audit chain is broken at record \(seq): \(reason)")
            throw ExitCode(1)
        }
        let kept: String?
        do {
            kept = try Store.restore(from: from, into: directory, at: now)
        } catch {
            printError("restore failed, the store in \(directory) is as it was: \(error)")
            throw ExitCode(1)
        }
        let store = try Store(directory: directory)
        var detail = ["from": from]
        if let previous {
            detail["previous_checkpoint_seq"] = String(previous.seq)
            detail["previous_checkpoint_hash"] = previous.hash
        }
        let record = try store.appendAudit(
            AuditEntry(at: now, actor: "cli:restore", action: .storeRestored, detail: detail))
        let siteID = site?.id ?? (try? store.siteStub())?.id ?? "unknown"
        try AuditCheckpoint(site: siteID, seq: record.seq, hash: record.hash, writtenAt: now).write(
            file: checkpointFile)
        if let kept { print("the previous store is kept as \(kept)") }
        if let previous, previous.seq >= record.seq {
            print(
                "note: the log had reached record \(previous.seq) before; records after \(record.seq - 1) in the backup's time were lost with the restore"
            )
        }
        print("restored \(from) into \(directory); the audit log verifies and ends at record \(record.seq)")
    }
}

/// A one-line progress meter on standard error, shown only on a terminal.
final class Progress {
    private let label: String
    private let terminal = isatty(STDERR_FILENO) == 1
    private var shown = false

    init(label: String) { self.label = label }

    func show(_ done: Int, of total: Int) {
        guard terminal, total > 0 else { return }
        shown = true
        FileHandle.standardError.write(Data("\r\(label): \(done * 100 / total)% (\(done)/\(total) pages)".utf8))
    }

    func end() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
    }
}
