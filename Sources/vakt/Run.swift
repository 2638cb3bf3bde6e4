import ArgumentParser
import Foundation
import Logging
import VaktRuntime

/// `vakt run --config DIR [--broker URL] [--data DIR]`
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the hub in the foreground.",
        discussion: """
            Connects to the broker with a fixed client id and a persistent session, turns device \
            messages into alarms, escalates them, delivers notifications and keeps the audit. \
            Open alarms, pending timers and undelivered notifications survive a restart. \
            SIGTERM or SIGINT stops it gracefully. If the broker is unreachable the hub keeps \
            trying, with backoff, and keeps its timers and outbox running meanwhile.

            A broker that is not on this box must be reached over TLS (mqtts://) with a login \
            (broker.username and broker.password_file); otherwise the hub refuses to start \
            (exit 2) unless --allow-insecure-broker is given.
            """)

    @OptionGroup var config: ConfigOption

    @Option(
        help: ArgumentHelp(
            "Broker URL: mqtt://host:port, mqtts://host:port or unix:///path. Overrides the config.", valueName: "url"))
    var broker: String?

    @Option(help: ArgumentHelp("Directory for the database. Overrides the config's `data:`.", valueName: "dir"))
    var data: String?

    @Flag(
        help: ArgumentHelp(
            "Accept a broker that is not on this box without TLS (mqtts://) or without a login. Only for a closed test network."
        ))
    var allowInsecureBroker = false

    @Option(help: "How much to log.")
    var logLevel: LogLevelOption = .info

    func run() async throws {
        let logger = LogSetup.bootstrap(level: logLevel.level)
        do {
            try await HubRunner.run(
                HubOptions(
                    configDirectory: config.directory, brokerURL: broker, dataDirectory: data,
                    allowInsecureBroker: allowInsecureBroker),
                version: VaktVersion.current, logger: logger)
        } catch let error as StartupError {
            printError("vakt run: \(error.description)")
            throw ExitCode(error.exitCode)
        }
    }
}
