import ArgumentParser
import Foundation
import VaktCore
import VaktDashboard
import VaktDevices
import VaktNotify
import VaktRuntime

/// `vakt dashboard --config DIR --as STAFF_ID [--broker URL]`
struct Dashboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The night-staff screen: open alarms, live, with acknowledge, on site and resolve.",
        discussion: """
            Connects to the broker as the staff member given by --as and shows the site's open \
            alarms as the hub publishes them: most severe first, then the one waiting longest, \
            with how long each has waited, who was notified and when it escalates next. Keys: \
            arrows or j/k select, a acknowledges, p reports on site, r resolves (outcome and \
            note), t shows the alarm's timeline, ? help, q quits. A new critical alarm rings \
            the bell. A banner says when the hub or the broker is gone, or a notification \
            channel is failing; a line names devices that are offline or low on battery.

            Without a terminal (TERM unset, or output not a terminal) it prints the screen once \
            as text and exits. Texts follow the site's language.
            """)

    @OptionGroup var config: ConfigOption

    @Option(
        name: .customLong("as"),
        help: ArgumentHelp("Your staff id, as in the site's staff list.", valueName: "staff-id"))
    var staffID: String

    @Option(help: ArgumentHelp("Broker URL. Overrides the config.", valueName: "url"))
    var broker: String?

    @Option(help: ArgumentHelp("A file holding your broker password.", valueName: "file"))
    var passwordFile: String?

    @Flag(inversion: .prefixedNo, help: "Ring the bell and flash on a new critical alarm.")
    var alerts = true

    func run() throws {
        let site = try HubRunner.loadSiteOrExit(config.directory)
        guard let staff = site.staffMember(staffID) else {
            printError(
                "vakt dashboard: no staff member '\(staffID)' in \(config.directory); known: \(site.staff.map(\.id).joined(separator: ", "))"
            )
            throw ExitCode(1)
        }
        let address = try HubRunner.brokerAddressOrExit(broker ?? site.broker.url, command: "dashboard")
        var password: String?
        if let passwordFile {
            do {
                password = try SecretResolver().resolve("file:\(passwordFile)")
            } catch {
                printError("vakt dashboard: \(error)")
                throw ExitCode(1)
            }
        }
        let app = try DashboardApp(
            site: site, staff: staff,
            options: .init(
                address: address, username: password == nil ? nil : staff.id, password: password, alerts: alerts,
                caFile: site.broker.caFile))
        do {
            try app.run()
        } catch let failure as Terminal.Failure {
            printError("vakt dashboard: \(failure); printing the screen once instead")
            do {
                for line in try app.printOnce() { print(line) }
            } catch {
                printError("vakt dashboard: cannot reach the broker at \(address.description): \(error)")
                throw ExitCode(3)
            }
        }
    }
}
