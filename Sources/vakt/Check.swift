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
            starts, so a night's record can be matched to the files in force), and exits 0. \
            With --rules, also one paragraph per rule: what raises it, where and when, its \
            severity, who its policy reaches and when, what joins it, what resolves it. Warnings \
            go to standard error and do not fail the check: rules that can never raise (an \
            earlier rule takes all their events), critical rules with a hold-off, policies \
            that reach no staff, hours of the week nobody is rostered for, and rooms shared \
            by two residents.
            """)

    @OptionGroup var config: ConfigOption

    @Flag(help: "Also say what each rule will do, in plain words.")
    var rules = false

    @Flag(name: .shortAndLong, help: "Same as --rules.")
    var verbose = false

    func run() throws {
        do {
            let site = try SiteLoader.load(directory: config.directory)
            print(SiteSummary.describe(site))
            if verbose || rules {
                print("\nRules, in the order they are checked (the first that matches an event raises):")
                for line in RuleDescriptions.describe(site) { print("- \(line)") }
                print("\nPolicies:")
                for line in RuleDescriptions.describePolicies(site) { print("- \(line)") }
            }
            let warnings = RuleDescriptions.warnings(site)
            for warning in warnings { printError("warning: \(warning)") }
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
