import ArgumentParser
import Foundation
import VaktCore
import VaktStore

/// `vakt alarms --data DIR [--all] --json`
struct Alarms: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List open alarms (or all, with --all).",
        discussion: """
            Reads the hub's database directly; works while the hub runs. With --json, prints \
            a JSON array; each alarm has id, kind, severity, state, resident, room, device, \
            raised_at, acknowledged_at, acknowledged_by, resolved_at, tier and test (a chain \
            test, not a real alarm; TEST in the table), with RFC 3339 \
            timestamps in the site's time zone.
            """)

    @OptionGroup var location: DataOption

    @Flag(help: "Include resolved alarms.")
    var all = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let (_, store, view) = try location.open()
        let stored = try store.alarms(includeResolved: all)
        let snapshots = stored.map { AlarmSnapshot($0, site: view) }
        if json {
            FileHandle.standardOutput.write(AlarmSnapshot.jsonArray(snapshots, pretty: true))
            print()
            return
        }
        if snapshots.isEmpty {
            print(all ? "No alarms recorded." : "No open alarms.")
            return
        }
        let header = ["ID", "KIND", "SEVERITY", "STATE", "ROOM", "RESIDENT", "RAISED", "BY", "TIER"]
        let rows = snapshots.map {
            [
                $0.id, ($0.isTest ? "TEST " : "") + $0.kind, $0.severity.rawValue, $0.state.rawValue, $0.room,
                $0.residentName ?? $0.resident ?? "-",
                $0.raisedAt, $0.acknowledgedBy ?? "-", String($0.tier),
            ]
        }
        printTable(header: header, rows: rows)
    }
}

/// Prints columns padded to their widest cell.
func printTable(header: [String], rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        print(
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(
                separator: "  "))
    }
}
