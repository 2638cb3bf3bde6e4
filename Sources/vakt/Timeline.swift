import ArgumentParser
import Foundation
import VaktCore
import VaktStore

/// `vakt timeline ALARM_ID --data DIR` (also `vakt audit show`)
struct Timeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show everything the audit log holds about one alarm, in order.",
        discussion: "Raise, joined repeats, escalations, every notification attempt, and each person's action.")

    @Argument(help: "The alarm id, e.g. A12.")
    var alarm: String

    @OptionGroup var location: DataOption

    func run() throws {
        try Self.show(alarm: alarm, location: location)
    }

    static func show(alarm: String, location: DataOption) throws {
        let (_, store, view) = try location.open()
        let zone = view.timeZone
        let records = try store.timeline(alarm: alarm)
        guard !records.isEmpty else {
            printError("no audit records for alarm \(alarm)")
            throw ExitCode(1)
        }
        printTimeline(records, zone: zone)
    }
}

/// An alarm's audit records as a table: seq, time, what, who, detail.
func printTimeline(_ records: [AuditRecord], zone: TimeZone) {
    let rows = records.map { record -> [String] in
        var facts = record.detail.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map {
            "\($0.key)=\($0.value)"
        }
        if let channel = record.channel { facts.insert("channel=\(channel)", at: 0) }
        if let recipient = record.recipient { facts.insert("to=\(recipient)", at: 0) }
        if let result = record.result { facts.append("result=\(result)") }
        return [
            String(record.seq), RFC3339.string(from: record.at, in: zone), record.action, record.actor,
            facts.joined(separator: " "),
        ]
    }
    printTable(header: ["SEQ", "TIME", "WHAT", "WHO", "DETAIL"], rows: rows)
}
