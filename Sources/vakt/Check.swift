import ArgumentParser
import Foundation
import VaktConfig

/// `vakt check --config DIR`
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a site's configuration and its device profiles.",
        discussion: """
            Reports every problem at once, one `file:line:col: message` line each, and exits 1. \
            With no problems, prints a one-paragraph summary of the site and exits 0.
            """)

    @OptionGroup var config: ConfigOption

    func run() throws {
        do {
            let site = try SiteLoader.load(directory: config.directory)
            print(SiteSummary.describe(site))
        } catch {
            print(error.description)
            let count = error.errors.count
            printError("\(count) problem\(count == 1 ? "" : "s") in \(config.directory)")
            throw ExitCode(1)
        }
    }
}
