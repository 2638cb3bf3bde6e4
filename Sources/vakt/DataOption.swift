import ArgumentParser
import Foundation
import VaktCore
import VaktRuntime
import VaktStore

/// Where the hub's database is: `--data DIR`, else the data directory of `--config DIR`.
struct DataOption: ParsableArguments {
    @Option(help: ArgumentHelp("The hub's data directory (where vakt.sqlite is).", valueName: "dir"))
    var data: String?

    @Option(
        name: .long,
        help: ArgumentHelp("A configuration directory to take the data directory and time zone from.", valueName: "dir")
    )
    var config: String?

    func validate() throws {
        if data == nil && config == nil && ProcessInfo.processInfo.environment["VAKT_CONFIG"] == nil {
            throw ValidationError("say where the data is: --data DIR (or --config DIR)")
        }
    }

    /// The site, when a config directory was given.
    func site() throws -> Site? {
        guard let directory = config ?? (data == nil ? ProcessInfo.processInfo.environment["VAKT_CONFIG"] : nil) else {
            return nil
        }
        do {
            return try HubRunner.loadSite(directory)
        } catch let error as StartupError {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// The data directory: `--data`, else the config's.
    func directory(site: Site?) throws -> String {
        if let data { return data }
        if let site, let configDirectory = config ?? ProcessInfo.processInfo.environment["VAKT_CONFIG"] {
            return HubRunner.dataDirectory(site: site, options: HubOptions(configDirectory: configDirectory))
        }
        throw ValidationError("say where the data is: --data DIR")
    }

    /// Where the hub writes audit checkpoints: the config's `audit.checkpoint_file`, else
    /// beside the database.
    func checkpointFile(site: Site?) throws -> String {
        AuditCheckpoint.file(configured: site?.audit.checkpointFile, dataDirectory: try directory(site: site))
    }

    /// Opens the existing store; a missing database is an error, not a new empty one.
    func openStore(site: Site?) throws -> Store {
        try Self.openStore(at: directory(site: site))
    }

    /// Opens the existing store in `directory`; a missing database is an error. With
    /// `readOnly`, no migration and no write, whatever version wrote it (`vakt replay`).
    static func openStore(at directory: String, readOnly: Bool = false) throws -> Store {
        let file = (directory as NSString).appendingPathComponent("vakt.sqlite")
        guard FileManager.default.fileExists(atPath: file) else {
            printError("no Vakt database at \(file)")
            throw ExitCode(1)
        }
        do {
            return readOnly ? try Store(readingDirectory: directory) : try Store(directory: directory)
        } catch {
            printError("cannot open \(file): \(error)")
            throw ExitCode(1)
        }
    }

    /// The site (when a config was given), the store, and the site to name things and show
    /// times by: what every read-only command starts with.
    func open() throws -> (site: Site?, store: Store, view: Site) {
        let site = try self.site()
        let store = try openStore(site: site)
        return (site, store, Self.view(of: site, store: store))
    }

    /// Writes `object` to standard output as indented JSON with sorted keys, for `--json`.
    static func printJSON(_ object: Any) throws {
        FileHandle.standardOutput.write(
            try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
        print()
    }

    /// The site to name things and show times by: the config's, else the one the store
    /// recorded (its id, name and time zone), else a stub in this machine's time zone.
    static func view(of site: Site?, store: Store) -> Site {
        site ?? (try? store.siteStub()) ?? Site(id: "unknown", name: "", timeZone: .current)
    }

    /// Every device's and bridge's stored health, by id.
    static func sources(in store: Store) throws -> [String: SourceState] {
        Dictionary(uniqueKeysWithValues: try store.sources().map { ($0.id, $0) })
    }
}
