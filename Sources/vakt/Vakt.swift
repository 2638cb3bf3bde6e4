import ArgumentParser
import Foundation

/// `vakt`: the command line. Argument parsing only; every subcommand calls into a library.
@main
struct Vakt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vakt",
        abstract: "Vakt: an open, offline-first alarm hub for elderly care.",
        discussion: """
            Vakt turns what fall sensors, door sensors, SOS buttons, medication dispensers and \
            social-alarm receivers report over MQTT and serial lines into alarms, escalates \
            each alarm until a person acknowledges it, and records every step in a \
            hash-chained audit log.

            Exit codes: 0 ok, 1 bad input or a failed check, 2 usage, 3 cannot reach a required service.
            """,
        version: VaktVersion.current,
        subcommands: [
            Check.self, Run.self, Dashboard.self, Alarms.self, Devices.self, Timeline.self, Ack.self, Onsite.self,
            Resolve.self, Reopen.self, SilenceCommand.self, RosterCommand.self, ReplayCommand.self, Audit.self,
            Report.self, Backup.self,
            Restore.self, Simulate.self, Proof.self, TestMode.self,
        ])

    /// Runs the command; usage errors exit 2 as docs/architecture.md's contract says (ArgumentParser's
    /// own default is 64).
    static func main() async {
        // A service manager or a parent may start us with SIGTERM/SIGINT blocked; the hub's
        // graceful shutdown depends on seeing them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        // A peer that closes a socket must not kill the hub: writes fail with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        // Nor may a file size limit: a write past it fails (EFBIG) and the store reports it.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error).rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

enum VaktVersion {
    static let current = "0.1.0"
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The config directory: `--config`, else `$VAKT_CONFIG`, else `/etc/vakt`.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The site's configuration directory.", valueName: "dir"))
    var config: String?

    var directory: String {
        config ?? ProcessInfo.processInfo.environment["VAKT_CONFIG"] ?? "/etc/vakt"
    }
}
