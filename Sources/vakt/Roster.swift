import ArgumentParser
import Foundation
import VaktCore
import VaktRuntime

/// `vakt roster [--at TIME] [--json]`
struct RosterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Show who is on duty now (or at a given time), by the config's roster.",
        discussion: """
            Lists the shifts running at that time, when each started and ends (in the site's \
            time zone, so the nights the clocks change show an hour more or less), and who \
            works them. Escalation targets with on_duty_only, and {on_duty: true}, reach \
            these people. Without a roster in the config, each staff member's on_duty flag \
            says.

            With --json: {at, roster (true/false), on_duty: [{id, name, role}], shifts: \
            [{id, name, start, end, staff}]}.
            """)

    @OptionGroup var config: ConfigOption

    @Option(help: ArgumentHelp("The time to ask about, RFC 3339 (default: now).", valueName: "time"))
    var at: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if let at, RFC3339.date(from: at) == nil {
            throw ValidationError("bad time '\(at)'; write e.g. 2026-12-24T23:00:00+01:00")
        }
    }

    func run() throws {
        let site = try HubRunner.loadSiteOrExit(config.directory)
        let instant = at.flatMap(RFC3339.date(from:)) ?? Date()
        let zone = site.timeZone
        let staff = site.staffOnDuty(at: instant)
        let duties = site.roster?.duties(at: instant, in: site.calendar) ?? []
        func name(_ id: String) -> String { site.staffMember(id)?.name ?? id }
        if json {
            try DataOption.printJSON([
                "at": RFC3339.string(from: instant, in: zone), "roster": site.roster != nil,
                "on_duty": staff.map { ["id": $0.id, "name": $0.name, "role": $0.role.rawValue] },
                "shifts": duties.map {
                    [
                        "id": $0.shift.id, "name": $0.shift.name, "start": RFC3339.string(from: $0.start, in: zone),
                        "end": RFC3339.string(from: $0.end, in: zone), "staff": $0.staff,
                    ] as [String: Any]
                },
            ])
            return
        }
        print("On duty at \(RFC3339.string(from: instant, in: zone)):")
        if site.roster == nil { print("  (no roster configured: each staff member's on_duty flag)") }
        for duty in duties {
            let people = duty.staff.map(name).joined(separator: ", ")
            print(
                "  \(duty.shift.name) \(RFC3339.string(from: duty.start, in: zone)) – \(RFC3339.string(from: duty.end, in: zone)): \(people.isEmpty ? "nobody assigned" : people)"
            )
        }
        if staff.isEmpty {
            print("  NOBODY is on duty: on-duty targets reach no one at this time.")
        } else if site.roster == nil {
            for member in staff { print("  \(member.name) (\(member.id), \(member.role.rawValue))") }
        }
    }
}
