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
        let address = try HubRunner.brokerAddressOrExit(broker ?? site.broker.url, command: action.rawValue)
        let logger = LogSetup.bootstrap(level: .error)
        let command = Command(
            id: UUID().uuidString.lowercased(), staff: staff, action: action, alarm: alarm, outcome: outcome, note: note
        )
        do {
            let client = try CommandClient(
                address: address, clientID: "vakt-cli-\(staff)-\(command.id.prefix(8))", caFile: site.broker.caFile,
                logger: logger)
            let reply = try client.send(command, site: site.id, timeout: timeout)
            if reply.ok {
                print(reply.message)
            } else {
                printError("refused: \(reply.message)")
                throw ExitCode(1)
            }
        } catch let failure as CommandClient.Failure {
            printError("vakt \(action.rawValue): \(failure)")
            throw ExitCode(3)
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
        help: ArgumentHelp("Outcome: \(Outcome.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "code"))
    var outcome: String

    @Option(help: "A short note for the record.")
    var note: String?

    func validate() throws {
        guard Outcome(rawValue: outcome) != nil else {
            throw ValidationError(
                "unknown outcome '\(outcome)'; use one of: \(Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws { try options.send(.resolve, outcome: outcome, note: note) }
}
