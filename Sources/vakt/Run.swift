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
            """)

    @OptionGroup var config: ConfigOption

    @Option(
        help: ArgumentHelp(
            "Broker URL: mqtt://host:port, mqtts://host:port or unix:///path. Overrides the config.", valueName: "url"))
    var broker: String?

    @Option(help: ArgumentHelp("Directory for the database. Overrides the config's `data:`.", valueName: "dir"))
    var data: String?

    @Option(help: "How much to log.")
    var logLevel: LogLevelOption = .info

    func run() async throws {
        let logger = LogSetup.bootstrap(level: logLevel.level)
        do {
            try await HubRunner.run(
                HubOptions(configDirectory: config.directory, brokerURL: broker, dataDirectory: data),
                version: VaktVersion.current, logger: logger)
        } catch let error as StartupError {
            printError("vakt run: \(error.description)")
            throw ExitCode(error.exitCode)
        }
    }
}
