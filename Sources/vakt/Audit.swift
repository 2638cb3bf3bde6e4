import ArgumentParser
import Foundation
import VaktCore
import VaktStore

/// `vakt audit verify|export`
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify or export the hash-chained audit log.",
        subcommands: [Verify.self, Export.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every record's hash and check the chain.",
            discussion: "Exits 0 when the chain holds, 1 naming the first broken record otherwise.")

        @OptionGroup var location: DataOption

        func run() throws {
            let store = try location.openStore(site: try location.site())
            switch try store.verifyAudit() {
            case .intact(let count, let lastHash):
                print("audit chain intact: \(count) records, last hash \(lastHash)")
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
            discussion:
                "Each record carries its hash and the previous record's, so an export can be verified elsewhere.")

        @OptionGroup var location: DataOption

        @Option(help: "jsonl or csv.")
        var format: Format = .jsonl

        @Option(help: ArgumentHelp("Only records at or after this RFC 3339 instant.", valueName: "time"))
        var since: String?

        func run() throws {
            var sinceDate: Date?
            if let since {
                guard let date = RFC3339.date(from: since) else {
                    printError("--since: '\(since)' is not an RFC 3339 time (e.g. 2026-11-26T22:00:00+01:00)")
                    throw ExitCode(2)
                }
                sinceDate = date
            }
            let store = try location.openStore(site: try location.site())
            let records = try store.auditRecords(since: sinceDate)
            let text = format == .jsonl ? AuditExport.jsonl(records) : AuditExport.csv(records)
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
