import Foundation
import Testing
import VaktCore

@testable import VaktConfig

/// The checks the broken-site test does not reach, each on one line of a small config.
@Suite struct SiteChecksTests {
    static let profile = """
        vendor: Acme
        model: X1
        description: Button
        fields:
          - field: action
            type: string
            values: { emergency: sos }

        """

    /// Loads `files` from a temp dir and returns the error lines without the directory prefix.
    func errors(_ files: [String: String], in directory: ScratchDirectory) throws -> [String] {
        try directory.write("devices/acme/button.yaml", Self.profile)
        for (name, text) in files { try directory.write(name, text) }
        do {
            _ = try SiteLoader.load(directory: directory.path)
            return []
        } catch {
            return error.description.split(separator: "\n").map { String($0.dropFirst(directory.path.count + 1)) }
        }
    }

    @Test func reportsEachBrokenRuleOfTheFormat() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.path
        let lines = try errors(
            [
                "site.yaml": """
                site: { id: Test Site, name: Test, time_zone: Europe/Oslö, language: de }
                profiles: devices
                broker: { url: "http://broker" }
                rooms:
                  - { id: "1", name: One }
                groups: []

                """,
                "people.yaml": """
                staff:
                  - { id: a, name: A, role: cook, on_duty: "yes", contacts: [{ channel: sms }] }
                groups:
                  - { id: g, members: [a, b] }
                residents:
                  - { id: r, room: "1" }

                """,
                "devices.yaml": """
                devices:
                  - { id: d1, profile: acme/button, room: "1", topic: t/1 }
                  - { id: d2, profile: acme/missing, room: "1", topic: t/1 }
                  - { id: d3, profile: acme/button, room: "1", topic: t/# }

                """,
                "escalation.yaml": """
                channels:
                  - { id: hook, type: pager, url: "ftp://x", max_attempts: 0 }
                policies:
                  - id: p
                    tiers:
                      - { after: 1m, notify: [{ staff: a }, { staff: nobody }, { next_of_kin: true, group: g }] }
                    repeat: 0s
                  - { id: q, tiers: [], repeat: 5m }
                rules:
                  - { id: r1, events: [fall.detected, falling], alarm: fall, severity: urgent, policy: nope }

                """,
            ], in: scratch)
        let known = EventKind.known.map(\.rawValue).sorted().joined(separator: ", ")
        #expect(
            lines == [
                "devices.yaml:3:24: devices[1].profile: unknown device profile 'acme/missing'",
                "devices.yaml:3:56: devices[1].topic: duplicate device topic 't/1' (first at line 2)",
                "devices.yaml:4:55: devices[2].topic: topic 't/#' may not contain the MQTT wildcards + or #",
                "escalation.yaml:2:23: channels[0].type: bad value 'pager'; allowed: webhook, sms, ntfy, smtp",
                "escalation.yaml:2:35: channels[0].url: channel url 'ftp://x' must start with http:// or https://",
                "escalation.yaml:2:60: channels[0].max_attempts: must be at least 1",
                "escalation.yaml:6:18: policies[0].tiers[0].after: tier 0 fires at once: 'after' must be 0",
                "escalation.yaml:6:54: policies[0].tiers[0].notify[1].staff: unknown staff member 'nobody'",
                "escalation.yaml:6:64: policies[0].tiers[0].notify[2]: a notify target names more than one of group, role, on_duty, staff, next_of_kin, external",
                "escalation.yaml:7:13: policies[0].repeat: must be longer than 0",
                "escalation.yaml:8:21: policies[1].tiers: a policy needs at least one tier",
                "escalation.yaml:10:39: rules[0].events[1]: unknown event kind 'falling'; known kinds: \(known)",
                "escalation.yaml:10:72: rules[0].severity: bad value 'urgent'; allowed: low, medium, high, critical",
                "escalation.yaml:10:88: rules[0].policy: unknown policy 'nope'",
                "people.yaml:2:29: staff[0].role: bad value 'cook'; allowed: night-staff, nurse-in-charge, day-staff, operator",
                "people.yaml:2:44: staff[0].on_duty: expected true or false, got a string",
                "people.yaml:2:73: staff[0].contacts[0].channel: unknown channel 'sms'",
                "people.yaml:4:27: groups[0].members[1]: unknown staff member 'b'",
                "people.yaml:6:5: residents[0]: missing required key 'name'",
                "site.yaml:1:13: site.id: site id 'Test Site' may hold only a-z, 0-9, '-' and '_' (it is part of MQTT topics)",
                "site.yaml:1:47: site.time_zone: unknown time zone 'Europe/Oslö'; use an IANA name such as Europe/Oslo",
                "site.yaml:1:70: site.language: bad value 'de'; allowed: nb, en",
                "site.yaml:3:16: broker.url: broker url 'http://broker' must start with mqtt://, mqtts:// or unix://",
                "site.yaml:6:1: section 'groups' appears again (first at \(directory)/people.yaml:3:1)",
            ], "\(lines.joined(separator: "\n"))")
    }

    @Test func defaultsFillWhatAMinimalSiteLeavesOut() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("devices/acme/button.yaml", Self.profile)
        try directory.write("site.yaml", "site: { id: mini, name: Mini }\nprofiles: devices\n")
        let site = try SiteLoader.load(directory: directory.path)
        #expect(site.timeZone.identifier == "Europe/Oslo")
        #expect(site.language == .norwegianBokmal)
        #expect(site.broker == BrokerSettings(url: "mqtt://127.0.0.1:1883", clientID: "vakt-mini"))
        #expect(site.dataDirectory == directory.path + "/data")
        #expect(site.profiles.keys.sorted() == ["acme/button"])
        #expect(SiteSummary.describe(site).contains("Mini (mini)"))
    }

    @Test func pathsResolveAgainstTheConfigDirectory() {
        #expect(PathJoin.resolve("../../Devices", against: "Config/demo") == "Devices")
        #expect(PathJoin.resolve("data", against: "Config/demo/") == "Config/demo/data")
        #expect(PathJoin.resolve("/var/lib/vakt", against: "Config/demo") == "/var/lib/vakt")
        #expect(PathJoin.resolve("../x", against: ".") == "../x")
        #expect(PathJoin.resolve("../../x", against: "/etc/vakt") == "/x")
    }

    @Test func readsAuditAndReportSettings() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write("devices/acme/button.yaml", Self.profile)
        try scratch.write(
            "site.yaml",
            """
            site: { id: test, name: Test, time_zone: Europe/Oslo }
            profiles: devices
            audit:
              checkpoint_file: checkpoints/test.json
              checkpoint_every: 1m
              retention: 3650d
              event_retention: 90d
              pseudonym_key_file: /etc/vakt/pseudonym.key
            report:
              acknowledge_within: 90s
              onsite_within: 5m
              shifts:
                - { id: day, start: "07:30", end: "15:30" }
                - { id: evening, start: "15:30", end: "22:30" }
                - { id: night, start: "22:30", end: "07:30" }

            """)
        let site = try SiteLoader.load(directory: scratch.path)
        #expect(site.audit.checkpointFile == scratch.path + "/checkpoints/test.json")
        #expect(site.audit.checkpointInterval == 60)
        #expect(site.audit.retention == Double(3650 * 86_400))
        #expect(site.audit.eventRetention == Double(90 * 86_400))
        #expect(site.audit.pseudonymKeyFile == "/etc/vakt/pseudonym.key")
        #expect(site.report.acknowledgeTarget == 90)
        #expect(site.report.onsiteTarget == 300)
        #expect(site.report.shifts.map(\.id) == ["day", "evening", "night"])
        #expect(site.report.shift(minute: 7 * 60 + 29)?.id == "night")
        #expect(site.report.shift(minute: 7 * 60 + 30)?.id == "day")
        // The demo keeps device messages 90 days and the audit for ever; its shifts are the defaults.
        let demo = try SiteLoader.load(directory: Repository.demoConfig)
        #expect(demo.audit == AuditSettings(eventRetention: Double(90 * 86_400)))
        #expect(demo.report == ReportSettings())
    }

    @Test func reportsBrokenAuditAndReportSettings() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let lines = try errors(
            [
                "site.yaml": """
                site: { id: test, name: Test, time_zone: Europe/Oslo }
                profiles: devices
                audit: { retention: 12h, checkpoint_every: 0s, keep: forever }
                report:
                  acknowledge_within: soon
                  shifts:
                    - { id: day, start: "7:00", end: "15:00" }
                    - { id: evening, start: "15:00", end: "24:00" }
                    - { id: night, start: "22:00", end: "06:00" }

                """
            ], in: scratch)
        #expect(
            lines == [
                "site.yaml:3:21: audit.retention: keep the legal record at least a day (1d)",
                "site.yaml:3:44: audit.checkpoint_every: must be longer than 0",
                "site.yaml:3:48: audit: unknown key 'keep'; allowed keys: checkpoint_file, checkpoint_every, retention, event_retention, pseudonym_key_file",
                "site.yaml:5:23: report.acknowledge_within: bad duration 'soon'; write a number with a unit, e.g. 0, 90s, 2m or 1h30m",
                "site.yaml:7:5: report.shifts: no shift covers 06:00; the shifts must cover the whole day",
                "site.yaml:7:25: report.shifts[0].start: bad time of day '7:00'; write HH:MM, e.g. 07:00 or 22:30",
                "site.yaml:8:43: report.shifts[1].end: bad time of day '24:00'; write HH:MM, e.g. 07:00 or 22:30",
            ])
    }
}
