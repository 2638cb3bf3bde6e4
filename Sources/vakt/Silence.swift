import ArgumentParser
import Foundation
import VaktConfig
import VaktCore
import VaktRuntime

/// `vakt silence add|end|list`
struct SilenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Silence a resident who is away, or a room in maintenance; end a silence; list them.",
        discussion: """
            While a silence is in force, alarms for the resident (or from the room) are not \
            raised: each one the rules would have raised is recorded in the audit as \
            alarm.suppressed, with the silence's id. Alarms already open stay open. Alarm \
            kinds the config lists under silences.never (smoke, by default) are never \
            silenced. Only staff whose role the config lists under silences.roles \
            (nurse-in-charge and operator, by default) may set one; any member of staff may \
            end one. Who, when, why and the end are audited. A silence ends on its own at its \
            end time.
            """,
        subcommands: [Add.self, End.self, List.self])

    struct Sender: ParsableArguments {
        @Option(name: .customLong("as"), help: ArgumentHelp("Your staff id.", valueName: "staff-id"))
        var staff: String

        @Option(help: ArgumentHelp("Broker URL; defaults to the config's broker.", valueName: "url"))
        var broker: String?

        @OptionGroup var config: ConfigOption

        func send(_ change: SilenceRequest.Change) throws {
            let site = try HubRunner.loadSiteOrExit(config.directory)
            let request = SilenceRequest(id: UUID().uuidString.lowercased(), staff: staff, change: change)
            try HubRunner.sendOrExit(
                site: site, broker: broker, staff: staff, command: "silence", requestID: request.id
            ) {
                try $0.send(request, site: site.id)
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Silence a resident or a room for a while.",
            discussion: """
                Examples:
                  vakt silence add --resident r103 --for 3d --reason "sykehusinnleggelse" --as sykepleier1
                  vakt silence add --room 104 --until 2026-12-01T12:00:00+01:00 --reason "maling" --as drift
                  vakt silence add --resident r101 --kinds inactivity --for 2d --reason "besøk hos datter" --as sykepleier1
                """)

        @Option(help: ArgumentHelp("The resident id: every alarm attributed to them.", valueName: "resident"))
        var resident: String?

        @Option(help: ArgumentHelp("The room id: every alarm from its devices.", valueName: "room"))
        var room: String?

        @Option(name: .customLong("for"), help: ArgumentHelp("How long, e.g. 3d or 12h.", valueName: "duration"))
        var duration: String?

        @Option(help: ArgumentHelp("Until when, RFC 3339 with its offset.", valueName: "time"))
        var until: String?

        @Option(help: ArgumentHelp("Why (goes in the audit).", valueName: "text"))
        var reason: String

        @Option(
            help: ArgumentHelp("Only these alarm kinds, comma-separated (default: every kind).", valueName: "kinds"))
        var kinds: String?

        @OptionGroup var sender: Sender

        func validate() throws {
            guard (resident == nil) != (room == nil) else { throw ValidationError("say --resident ID or --room ID") }
            guard (duration == nil) != (until == nil) else {
                throw ValidationError("say --for DURATION or --until TIME")
            }
            if let duration, (parseDuration(duration) ?? 0) <= 0 {
                throw ValidationError("bad duration '\(duration)'; write e.g. 3d, 12h or 90m")
            }
            if let until, RFC3339.date(from: until) == nil {
                throw ValidationError("bad time '\(until)'; write e.g. 2026-12-01T12:00:00+01:00")
            }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("say why with --reason; it goes in the audit")
            }
        }

        func run() throws {
            let list = kinds?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            try sender.send(
                .start(
                    resident: resident, room: room, kinds: list, until: until.flatMap(RFC3339.date(from:)),
                    seconds: duration.flatMap(parseDuration), reason: reason))
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a silence now.")

        @Argument(help: "The silence's id, as `vakt silence list` shows it.")
        var silence: String

        @OptionGroup var sender: Sender

        func run() throws { try sender.send(.end(silence: silence)) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the silences in force, from the hub's database.",
            discussion: "With --json, an array of {id, resident, room, kinds, from, until, by, reason}.")

        @OptionGroup var location: DataOption

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let (_, store, view) = try location.open()
            let stored = try store.silences()
            for problem in stored.unreadable { printError("warning: a stored silence cannot be read: \(problem)") }
            let silences = stored.items
            if json {
                try DataOption.printJSON(silences.map { $0.wireObject(in: view.timeZone) })
                return
            }
            guard !silences.isEmpty else {
                print("No silences.")
                return
            }
            printTable(
                header: ["ID", "SILENCES", "KINDS", "FROM", "UNTIL", "BY", "REASON"],
                rows: silences.map {
                    [
                        $0.id, $0.subject, $0.kinds?.joined(separator: ",") ?? "all",
                        RFC3339.string(from: $0.from, in: view.timeZone),
                        RFC3339.string(from: $0.until, in: view.timeZone), $0.by, $0.reason,
                    ]
                })
        }
    }
}
