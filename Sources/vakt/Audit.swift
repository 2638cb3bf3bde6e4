import ArgumentParser
import Foundation
import VaktCore
import VaktNotify
import VaktRuntime
import VaktStore

/// `vakt audit verify|export|show|prune`
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify, export, show or prune the hash-chained audit log.",
        subcommands: [Verify.self, Export.self, Show.self, Prune.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every record's hash and check the chain, and that nothing was cut off its end.",
            discussion: """
                Every record's hash must match its content and the record before it, with no \
                gaps; a log pruned for retention must start where its last audit.pruned record \
                says. Then the log is compared with the checkpoint the hub writes down while it \
                runs (audit.checkpoint_file in the config, default audit-checkpoint.json in the \
                data directory): the log must still reach the checkpoint's record, with the same \
                hash, or records were cut off the end or the log was rewritten.

                Exits 0 when the chain holds, 1 naming the first broken record otherwise.
                """)

        @OptionGroup var location: DataOption

        @Option(
            help: ArgumentHelp(
                "A checkpoint file to check against (e.g. a copy kept elsewhere, or the retained vakt/<site>/audit/checkpoint message saved to a file).",
                valueName: "file"))
        var checkpoint: String?

        func run() throws {
            let (site, store, view) = try location.open()
            let zone = view.timeZone
            let file = try checkpoint ?? location.checkpointFile(site: site)
            var written: AuditCheckpoint?
            if checkpoint != nil || FileManager.default.fileExists(atPath: file) {
                do {
                    written = try AuditCheckpoint.read(file: file)
                } catch {
                    printError("\(error)")
                    throw ExitCode(1)
                }
            }
            if let written, let stored = try? store.siteStub(), stored.id != written.site {
                printError("the checkpoint \(file) is for site '\(written.site)', this store is site '\(stored.id)'")
                throw ExitCode(1)
            }
            switch try store.verifyAudit(checkpoint: written) {
            case .intact(let count, let lastHash):
                print("audit chain intact: \(count) records, last hash \(lastHash)")
                if let written, try store.checkpointPredatesPrune(written) {
                    print(
                        "note: the checkpoint in \(file) (record \(written.seq)) is older than what the last prune kept; it could not be compared: keep checkpoints newer than the retention"
                    )
                } else if let written {
                    print(
                        "checked against the checkpoint of \(RFC3339.string(from: written.writtenAt, in: zone)) (record \(written.seq)) in \(file)"
                    )
                } else {
                    print("no checkpoint at \(file): records cut off the end could not be detected")
                }
            case .broken(let seq, let reason):
                print("audit chain BROKEN at record \(seq): \(reason)")
                throw ExitCode(1)
            }
        }
    }

    struct Export: ParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case jsonl, csv
        }

        static let configuration = CommandConfiguration(
            abstract: "Write the audit log to standard output as JSON Lines or CSV.",
            discussion: """
                Each record carries its hash and the previous record's, so an export can be \
                verified elsewhere (docs/audit.md shows how, in a few lines of Python).

                --pseudonymise writes an export for quality work and research: staff, \
                residents, next of kin, rooms and devices become keyed pseudonyms (the same \
                person gets the same pseudonym in every export made with the same secret), \
                free text and raw device payloads are left out, and so are the hashes, which \
                no longer match. The secret comes from --key-file or the config's \
                audit.pseudonym_key_file.
                """)

        @OptionGroup var location: DataOption

        @Option(help: "jsonl or csv.")
        var format: Format = .jsonl

        @Option(
            help: ArgumentHelp(
                "Only records at or after this time (RFC 3339, or a date in the site's time zone).", valueName: "time"))
        var since: String?

        @Option(
            help: ArgumentHelp(
                "Only records before this time (RFC 3339, or a date: records before that day).", valueName: "time"))
        var until: String?

        @Option(
            help: ArgumentHelp(
                "Only records about this resident (their alarms, and test mode in their room); needs --config.",
                valueName: "id"))
        var resident: String?

        @Flag(help: "Replace people, rooms and devices with keyed pseudonyms; leave out free text and hashes.")
        var pseudonymise = false

        @Option(
            help: ArgumentHelp(
                "The file holding the pseudonym secret (default: audit.pseudonym_key_file).", valueName: "file"))
        var keyFile: String?

        func run() throws {
            let (site, store, view) = try location.open()
            let zone = view.timeZone
            var filter = AuditFilter(
                since: try TimeArgument.parse(since, option: "--since", zone: zone),
                until: try TimeArgument.parse(until, option: "--until", zone: zone))
            if let resident {
                guard let site else {
                    printError("--resident needs --config DIR, to find the resident's room")
                    throw ExitCode(2)
                }
                guard let known = site.resident(resident) else {
                    printError(
                        "no resident '\(resident)' in the config; residents: \(site.residents.map(\.id).joined(separator: ", "))"
                    )
                    throw ExitCode(1)
                }
                filter.resident = known.id
                filter.room = known.room
            }
            let pseudonymiser = try pseudonymise ? makePseudonymiser(site: site) : nil
            let chain = pseudonymiser == nil
            let output = FileHandle.standardOutput
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 16)
            if format == .csv { buffer += Array(AuditExport.csvHeader(chain: chain).utf8) }
            try store.forEachAuditRecord(filter) { stored in
                let record = pseudonymiser?.apply(stored) ?? stored
                switch format {
                case .jsonl: AuditExport.appendJSONL(record, chain: chain, to: &buffer)
                case .csv: buffer += Array(AuditExport.csvRow(record, chain: chain).utf8)
                }
                if buffer.count >= 1 << 16 {
                    output.write(Data(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            output.write(Data(buffer))
        }

        private func makePseudonymiser(site: Site?) throws -> AuditPseudonymiser {
            guard let file = keyFile ?? site?.audit.pseudonymKeyFile else {
                printError(
                    "--pseudonymise needs a secret: --key-file FILE, or audit.pseudonym_key_file in the config (create one with `openssl rand -hex 32 > FILE; chmod 600 FILE`)"
                )
                throw ExitCode(2)
            }
            do {
                let secret = try SecretResolver().resolve("file:\(file)")
                return try AuditPseudonymiser(secret: Data(secret.utf8))
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one alarm's timeline: every audit record about it, in order.")

        @Argument(help: "The alarm id, e.g. A12.")
        var alarm: String

        @OptionGroup var location: DataOption

        func run() throws {
            try Timeline.show(alarm: alarm, location: location)
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove what is older than the configured retention, leaving a verifiable log.",
            discussion: """
                Audit records and closed alarms older than audit.retention, delivered \
                notifications as old, and raw device messages older than \
                audit.event_retention are removed. An open alarm keeps its whole story. An \
                audit.pruned record is appended that names the first record kept and the \
                hash it chains to, so `vakt audit verify` still proves what remains. Safe \
                while the hub runs. Run it from a daily timer; --dry-run only counts.
                """)

        @OptionGroup var location: DataOption

        @Flag(help: "Count what would be removed, and remove nothing.")
        var dryRun = false

        func run() throws {
            guard let site = try location.site() else {
                printError("vakt audit prune needs --config DIR: the retention periods are in its audit section")
                throw ExitCode(2)
            }
            guard site.audit.retention != nil || site.audit.eventRetention != nil else {
                print(
                    "nothing to prune: the config sets no audit.retention or audit.event_retention (everything is kept)"
                )
                return
            }
            let store = try location.openStore(site: site)
            let now = Date()
            let result = try store.prune(
                auditBefore: site.audit.retention.map { now.addingTimeInterval(-$0) },
                eventsBefore: site.audit.eventRetention.map { now.addingTimeInterval(-$0) }, at: now,
                actor: "cli:prune", dryRun: dryRun)
            let verb = dryRun ? "would remove" : "removed"
            print(
                "\(verb) \(result.auditRecords) audit records, \(result.alarms) closed alarms, \(result.notifications) sent notifications, \(result.events) device messages"
            )
            if let first = result.firstKeptSeq { print("the audit log now starts at record \(first)") }
        }
    }
}

/// Times given on the command line: RFC 3339, or a date meaning local midnight in the
/// site's time zone.
enum TimeArgument {
    static func parse(_ text: String?, option: String, zone: TimeZone) throws -> Date? {
        guard let text else { return nil }
        if let date = RFC3339.date(from: text) { return date }
        if let date = localMidnight(text, zone: zone) { return date }
        printError(
            "\(option): '\(text)' is neither a date (2026-11-01) nor an RFC 3339 time (2026-11-26T22:00:00+01:00)")
        throw ExitCode(2)
    }

    /// `YYYY-MM-DD` as midnight at the start of that day in `zone`.
    static func localMidnight(_ text: String, zone: TimeZone) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}
