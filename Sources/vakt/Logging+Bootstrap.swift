import ArgumentParser
import Foundation
import Logging

/// Only the executable bootstraps logging: lines to standard error, level from `--log-level`.
enum LogSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level: Logger.Level) -> Logger {
        if !done {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            done = true
        }
        var logger = Logger(label: "vakt")
        logger.logLevel = level
        return logger
    }
}

/// `--log-level`: swift-log's levels, by name.
enum LogLevelOption: String, CaseIterable, ExpressibleByArgument {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}
