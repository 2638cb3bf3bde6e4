import ArgumentParser
import Foundation
import VaktConfig
import VaktCore
import VaktRuntime

/// `vakt test start|end --room ROOM --as STAFF`
struct TestMode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Put a room (or one device) in test mode to prove its alarm chain, or end it.",
        discussion: """
            While a room is in test mode, a care alarm one of its devices raises is a chain \
            test: it travels the real path (decode, rules, notification, a person's answer), \
            marked TEST everywhere, under the config's test policy (proof: test_policy:), and \
            never reaches next of kin. Answering it proves the device's chain (see `vakt \
            proof`). Test mode ends on its own after --for (at most the config's \
            max_test_duration) and is audited, as is who started and ended it.
            """,
        subcommands: [Start.self, End.self])

    struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("The room id, e.g. 103: every device in it.", valueName: "room"))
        var room: String?

        @Option(help: ArgumentHelp("One device id instead of a whole room.", valueName: "device"))
        var device: String?

        @Option(name: .customLong("as"), help: ArgumentHelp("Your staff id.", valueName: "staff-id"))
        var staff: String

        @Option(help: ArgumentHelp("Broker URL; defaults to the config's broker.", valueName: "url"))
        var broker: String?

        @OptionGroup var config: ConfigOption

        func validate() throws {
            guard (room == nil) != (device == nil) else { throw ValidationError("say --room ROOM or --device ID") }
        }

        /// Sends the request and prints the hub's answer: exit 1 when refused, 3 when unreachable.
        func send(seconds: Double?) throws {
            let site = try HubRunner.loadSiteOrExit(config.directory)
            let request = TestModeRequest(
                id: UUID().uuidString.lowercased(), staff: staff, room: room ?? "", device: device, seconds: seconds)
            try HubRunner.sendOrExit(site: site, broker: broker, staff: staff, command: "test", requestID: request.id) {
                try $0.send(request, site: site.id)
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start test mode for a room.")
        @OptionGroup var options: Options

        @Option(name: .customLong("for"), help: ArgumentHelp("How long, e.g. 30m.", valueName: "duration"))
        var duration = "30m"

        func validate() throws {
            guard let seconds = parseDuration(duration), seconds > 0 else {
                throw ValidationError("bad duration '\(duration)'; write e.g. 15m or 1h")
            }
        }

        func run() throws { try options.send(seconds: parseDuration(duration) ?? TestModeRequest.defaultSeconds) }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a room's test mode now.")
        @OptionGroup var options: Options
        func run() throws { try options.send(seconds: nil) }
    }
}
