import ArgumentParser
import Foundation
import VaktCore
import VaktRuntime

/// `vakt replay --config DIR --data DIR --since T [--until T] [--technical] [--json]`
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run stored events through a proposed config and show which alarms would change.",
        discussion: """
            The tool against alarm fatigue: before changing rules, see what the change would \
            have done. The events the hub stored from --since (to --until, default now) are run \
            through the config in --config on virtual time, with no side effects: nothing is \
            sent, nothing written; the database is opened read-only, so a live hub's is safe. Staff answers are replayed on \
            the alarm the proposed rules raised for the same event, so acknowledgements, \
            hold-offs and silences act as they did.

            Each alarm is listed as: same (raised by both), changed (another kind, severity or \
            policy), dropped (the proposed rules would not raise it; with the reason when a \
            silence or hold-off held it back), or new (only the proposed rules raise it). Then \
            the number of notifications each would have sent.

            Technical alarms (silence, batteries, offline) are left out unless --technical: \
            device availability is not in the event log, so they would differ for that reason \
            alone. Alarms open before --since are not carried into the replay.

            Exit status: 0 when nothing changes, 1 when some alarm would change or the number \
            of notifications would (a policy reaching other people changes that), for scripts \
            that review a config change; 2 on bad usage.

            Example:
              vakt replay --config /etc/vakt-proposed --data /var/lib/vakt --since 2026-11-01T00:00:00+01:00
            """)

    @Option(help: ArgumentHelp("The proposed configuration directory.", valueName: "dir"))
    var config: String

    @Option(help: ArgumentHelp("The hub's data directory (where vakt.sqlite is).", valueName: "dir"))
    var data: String

    @Option(help: ArgumentHelp("Replay from this time, RFC 3339.", valueName: "time"))
    var since: String

    @Option(help: ArgumentHelp("Replay up to this time, RFC 3339 (default: now).", valueName: "time"))
    var until: String?

    @Flag(help: "Also compare technical alarms.")
    var technical = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard RFC3339.date(from: since) != nil else {
            throw ValidationError("bad --since '\(since)'; write e.g. 2026-11-01T00:00:00+01:00")
        }
        if let until, RFC3339.date(from: until) == nil {
            throw ValidationError("bad --until '\(until)'; write e.g. 2026-11-08T00:00:00+01:00")
        }
    }

    func run() throws {
        let site = try HubRunner.loadSiteOrExit(config)
        // Read only: no migration, no write, even on a live hub's database.
        let store = try DataOption.openStore(at: data, readOnly: true)
        let from = RFC3339.date(from: since) ?? Date()
        let to = until.flatMap(RFC3339.date(from:)) ?? Date()
        guard to > from else {
            printError("vakt replay: --until must be after --since")
            throw ExitCode(2)
        }
        let report = try Replay(site: site, store: store).run(since: from, until: to, technical: technical)
        let zone = site.timeZone
        if json {
            let alarms: [[String: Any]] = report.rows.map { row in
                var object: [String: Any] = [
                    "change": row.change.rawValue, "raised_at": RFC3339.string(from: row.raisedAt, in: zone),
                    "room": row.room, "device": row.device,
                ]
                let optional: [String: String?] = [
                    "stored": row.stored, "replayed": row.replayed, "resident": row.resident, "before": row.before,
                    "after": row.after, "reason": row.reason,
                ]
                for (key, value) in optional { object[key] = value ?? NSNull() }
                return object
            }
            let notifications: [String: Int] = [
                "stored": report.storedNotifications, "replayed": report.replayedNotifications,
            ]
            let object: [String: Any] = [
                "since": RFC3339.string(from: report.since, in: zone),
                "until": RFC3339.string(from: report.until, in: zone), "events": report.events,
                "commands": report.commands, "notifications": notifications, "alarms": alarms,
            ]
            try DataOption.printJSON(object)
        } else {
            print(
                "Replayed \(report.events) device events and \(report.commands) staff commands from \(RFC3339.string(from: from, in: zone)) to \(RFC3339.string(from: to, in: zone))."
            )
            if report.rows.isEmpty {
                print("No alarms, before or after.")
            } else {
                printTable(
                    header: ["CHANGE", "STORED", "REPLAYED", "RAISED", "ROOM", "DEVICE", "BEFORE", "AFTER", "WHY"],
                    rows: report.rows.map { row -> [String] in
                        let raised = RFC3339.string(from: row.raisedAt, in: zone)
                        return [
                            row.change.rawValue, row.stored ?? "-", row.replayed ?? "-", raised, row.room, row.device,
                            row.before ?? "-", row.after ?? "-", row.reason ?? "",
                        ]
                    })
            }
            let counts = [Replay.Row.Change.same, .changed, .dropped, .new].map { "\($0.rawValue) \(report.count($0))" }
            print(
                counts.joined(separator: ", ")
                    + "; notifications: \(report.storedNotifications) sent, \(report.replayedNotifications) with the proposed config"
            )
        }
        if report.changes { throw ExitCode(1) }
    }
}
