import ArgumentParser
import Foundation
import Logging
import VaktCore
import VaktDevices
import VaktRuntime

/// Options every alarm action shares.
struct ActionOptions: ParsableArguments {
    @Argument(help: "The alarm id, e.g. A12.")
    var alarm: String

    @Option(name: .customLong("as"), help: ArgumentHelp("Your staff id.", valueName: "staff-id"))
    var staff: String

    @Option(help: ArgumentHelp("Broker URL; defaults to the config's broker.", valueName: "url"))
    var broker: String?

    @OptionGroup var config: ConfigOption

    @Option(help: "Seconds to wait for the hub's reply.")
    var timeout: Double = 15

    /// Sends the command and prints the hub's answer. Exit 1 when the hub refuses, 3 when the
    /// broker or the hub cannot be reached.
    func send(_ action: Command.Action, outcome: String? = nil, note: String? = nil) throws {
        let site = try HubRunner.loadSiteOrExit(config.directory)
        if let outcome, site.outcome(outcome) == nil {
            printError(
                "vakt resolve: unknown outcome '\(outcome)'; use one of: \(site.outcomes.map(\.id).joined(separator: ", "))"
            )
            throw ExitCode(2)
        }
        let command = Command(
            id: UUID().uuidString.lowercased(), staff: staff, action: action, alarm: alarm, outcome: outcome, note: note
        )
        try HubRunner.sendOrExit(
            site: site, broker: broker, staff: staff, command: action.rawValue, requestID: command.id
        ) { client in
            try client.send(command, site: site.id, timeout: timeout)
        }
    }
}

extension HubRunner {
    static func loadSiteOrExit(_ directory: String) throws -> Site {
        do {
            return try loadSite(directory)
        } catch let error as StartupError {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// Sends one staff request to the hub through the broker and prints the hub's answer: exit
    /// 1 when the hub refuses, 3 when the broker or the hub cannot be reached.
    static func sendOrExit(
        site: Site, broker: String?, staff: String, command: String, requestID: String,
        _ send: (CommandClient) throws -> CommandReplyMessage
    ) throws {
        let address = try brokerAddressOrExit(broker ?? site.broker.url, command: command)
        let logger = LogSetup.bootstrap(level: .error)
        do {
            let client = try CommandClient(
                address: address, clientID: "vakt-cli-\(staff)-\(requestID.prefix(8))", caFile: site.broker.caFile,
                logger: logger)
            let reply = try send(client)
            guard reply.ok else {
                printError("refused: \(reply.message)")
                throw ExitCode(1)
            }
            print(reply.message)
        } catch let failure as CommandClient.Failure {
            printError("vakt \(command): \(failure)")
            throw ExitCode(3)
        }
    }

    /// The broker address from `url`, or exit 2 (usage) saying what is wrong with it.
    static func brokerAddressOrExit(_ url: String, command: String) throws -> BrokerAddress {
        do {
            return try BrokerAddress.parse(url)
        } catch {
            printError("vakt \(command): broker URL \(url): \(error)")
            throw ExitCode(2)
        }
    }
}

struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge an alarm: \"I'm taking it\". Stops its escalation.")
    @OptionGroup var options: ActionOptions
    func run() throws { try options.send(.acknowledge) }
}

struct Onsite: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register that you are with the resident (acknowledges too, if nobody has).")
    @OptionGroup var options: ActionOptions
    func run() throws { try options.send(.onsite) }
}

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Close an alarm with an outcome and an optional note.")
    @OptionGroup var options: ActionOptions

    @Option(
        help: ArgumentHelp(
            "Outcome code from the config's outcomes (by default: \(OutcomeCode.defaults.map(\.id).joined(separator: ", "))).",
            valueName: "code"))
    var outcome: String

    @Option(help: "A short note for the record.")
    var note: String?

    func run() throws { try options.send(.resolve, outcome: outcome, note: note) }
}

struct Reopen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open a resolved alarm again; it escalates from its first tier.",
        discussion: """
            For an alarm resolved too early or by mistake. Only the latest alarm of its kind \
            for the resident (or room, or device, as its rule's dedup says), resolved within \
            the last 24 hours, can be reopened, and not while a newer one for the same thing \
            is open. The alarm keeps its id, so its timeline stays one story.
            """)
    @OptionGroup var options: ActionOptions

    @Option(help: "Why, for the record.")
    var note: String?

    func run() throws { try options.send(.reopen, note: note) }
}
