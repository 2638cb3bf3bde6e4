import ArgumentParser
import Foundation
import VaktConfig
import VaktRuntime

/// `vakt check --config DIR`
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a site's configuration and its device profiles.",
        discussion: """
            Reports every problem at once, one `file:line:col: message` line each, and exits 1. \
            With no problems, prints a one-paragraph summary of the site and the \
            configuration's SHA-256 (the `config_sha256` the hub records in the audit when it \
            starts, so a night's record can be matched to the files in force), and exits 0.
            """)

    @OptionGroup var config: ConfigOption

    func run() throws {
        do {
            let site = try SiteLoader.load(directory: config.directory)
            print(SiteSummary.describe(site))
            print(
                "config sha256: "
                    + ConfigDigest.sha256(configDirectory: config.directory, profilesDirectory: site.profilesDirectory))
        } catch {
            print(error.description)
            let count = error.errors.count
            printError("\(count) problem\(count == 1 ? "" : "s") in \(config.directory)")
            throw ExitCode(1)
        }
    }
}
