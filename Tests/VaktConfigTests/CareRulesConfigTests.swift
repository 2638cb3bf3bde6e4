import Foundation
import Testing
import VaktCore

@testable import VaktConfig

/// Reading care rules, rosters, silences and outcomes from YAML, and what `vakt check` says
/// about them.
@Suite struct CareRulesConfigTests {
    static let people = """
        rooms:
          - { id: "101", name: Rom 101, tags: [ground-floor] }
          - { id: "102", name: Rom 102 }
        staff:
          - { id: ns1, name: Siri, role: night-staff, contacts: [{ channel: webhook }] }
          - { id: ns2, name: Jonas, role: night-staff, contacts: [{ channel: webhook }] }
          - { id: sp1, name: Hilde, role: nurse-in-charge, contacts: [{ channel: webhook }] }
        groups:
          - { id: night, members: [ns1, ns2] }
        residents:
          - id: r101
            name: Astrid
            room: "101"
            tags: [wandering-risk]
            rules: { night-door: { severity: critical }, suspected-fall: off }
            next_of_kin:
              - { id: k1, name: Per, contacts: [{ channel: webhook }], consent: { notify: true }, quiet_hours: "22:00-07:00" }
        devices:
          - { id: d101, profile: acme/button, room: "101", topic: t/101 }
          - { id: d102, profile: acme/button, room: "102", topic: t/102 }

        """

    func load(_ escalation: String, people: String = Self.people) throws -> (Site?, [String]) {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write("devices/acme/button.yaml", SiteChecksTests.profile)
        try scratch.write("site.yaml", "site: { id: test, name: Test, time_zone: Europe/Oslo }\nprofiles: devices\n")
        try scratch.write("people.yaml", people)
        try scratch.write("escalation.yaml", escalation)
        do {
            return (try SiteLoader.load(directory: scratch.path), [])
        } catch {
            return (nil, error.description.split(separator: "\n").map { String($0.dropFirst(scratch.path.count + 1)) })
        }
    }

    static let channels = """
        channels:
          - { id: webhook, type: webhook, url: "http://127.0.0.1:9/x" }
          - { id: sentral, type: webhook, url: "http://127.0.0.1:9/sentral" }
        policies:
          - id: standard
            tiers:
              - { after: 0, notify: [{ role: night-staff, on_duty_only: true }, { on_duty: true }] }
              - { after: 2m, notify: [{ group: night }, { next_of_kin: true, quiet_hours_override: critical }] }
              - { after: 5m, notify: [{ external: sentral, name: Alarmsentralen }] }
            repeat: 5m

        """

    @Test func readsEveryConstruct() throws {
        let (loaded, errors) = try load(
            Self.channels + """
                rules:
                  - id: night-door
                    events: [door.opened]
                    alarm: wandering
                    severity: high
                    policy: standard
                    match: { resident_tags: [wandering-risk], room_tags: [ground-floor], devices: [d101], attributes: { contact: "false" } }
                    when: { time: "22:00-07:00", days: [fri, sat] }
                    dedup: room
                    hold_off: 10m
                    renotify: 15m
                  - id: suspected-fall
                    events: [fall.suspected]
                    count: { times: 3, within: 10m }
                    alarm: fall
                    severity: high
                    policy: standard
                  - id: not-back
                    events: [bed.exit]
                    absence: { expect: [presence.detected], within: 20m }
                    alarm: out-of-bed
                    severity: medium
                    policy: standard
                  - id: morning
                    inactivity: { expect: [presence.detected, door.opened], from: "06:00", by: "09:00" }
                    alarm: inactivity
                    severity: high
                    policy: standard
                roster:
                  shifts:
                    - { id: day, name: Dag, from: "07:00", to: "15:00" }
                    - { id: night, name: Natt, from: "22:00", to: "07:00" }
                  assignments:
                    - { shift: night, staff: [ns1, ns2] }
                    - { shift: night, dates: [2026-12-24], staff: [ns2] }
                    - { shift: day, days: [mon, tue, wed, thu, fri], staff: [sp1] }
                silences: { roles: [nurse-in-charge], never: [fall, wandering], max_duration: 14d }
                outcomes:
                  - { id: helped-up, nb: Hjulpet opp, en: Helped up }
                  - { id: false-alarm, nb: Falsk alarm, en: False alarm, false_alarm: true }

                """)
        #expect(errors == [])
        let site = try #require(loaded)
        let door = site.rules[0]
        #expect(
            door.match
                == RuleMatch(
                    devices: ["d101"], roomTags: ["ground-floor"], residentTags: ["wandering-risk"],
                    attributes: ["contact": "false"]))
        #expect(door.when == TimeWindow("22:00-07:00", days: [.fri, .sat]))
        #expect(door.dedup == .room && door.holdOffSeconds == 600 && door.renotifySeconds == 900)
        #expect(site.rules[1].trigger == .count(times: 3, withinSeconds: 600))
        #expect(site.rules[2].trigger == .absence(expect: [.presenceDetected], withinSeconds: 1200))
        #expect(
            site.rules[3].trigger
                == .inactivity(
                    expect: [.presenceDetected, .doorOpened], from: DailyTime(hour: 6, minute: 0),
                    by: DailyTime(hour: 9, minute: 0)))
        #expect(site.rules[3].events == [] && !site.rules[3].isTechnical)
        let tiers = site.policies[0].tiers
        #expect(tiers[0].notify == [.role(.nightStaff, onDutyOnly: true), .onDuty])
        #expect(tiers[1].notify == [.group("night", onDutyOnly: false), .nextOfKin(quietHoursOverride: .critical)])
        #expect(tiers[2].notify == [.external(channel: "sentral", name: "Alarmsentralen")])
        #expect(
            site.residents[0].ruleOverrides == [
                "night-door": RuleOverride(severity: .critical), "suspected-fall": RuleOverride(disabled: true),
            ])
        #expect(site.residents[0].nextOfKin[0].quietHours == TimeWindow("22:00-07:00"))
        #expect(site.roster?.shifts.map(\.id) == ["day", "night"])
        #expect(site.onDuty(at: instant("2026-12-24T23:00:00Z")) == ["ns2"])
        #expect(site.onDuty(at: instant("2026-11-27T23:00:00Z")) == ["ns1", "ns2"])
        #expect(site.onDuty(at: instant("2026-11-27T09:00:00Z")) == ["sp1"])
        #expect(site.onDuty(at: instant("2026-11-28T09:00:00Z")) == [])  // a Saturday
        #expect(
            site.silencing
                == SilenceSettings(roles: [.nurseInCharge], never: ["fall", "wandering"], maxSeconds: 14 * 86400))
        #expect(site.outcomes.map(\.id) == ["helped-up", "false-alarm"])
        #expect(site.outcomes[1].falseAlarm)

        let words = RuleDescriptions.describe(site)
        #expect(
            words[0]
                == "night-door: on door.opened from d101 in a room tagged ground-floor of a resident tagged wandering-risk saying contact=false, between 22:00 and 07:00 starting on fri, sat (site time): a high 'wandering' alarm, policy standard. One open alarm per room: repeats join it and remind the current tier at most every 15m until acknowledged. After it is resolved, the same thing raises nothing for 10m (recorded as suppressed). Residents with their own version: r101 severity critical."
        )
        #expect(
            words[1]
                == "suspected-fall: on 3 × fall.suspected within 10m (any device): a high 'fall' alarm, policy standard. One open alarm per resident (per room where nobody lives): repeats join it. Residents with their own version: r101 off."
        )
        #expect(
            words[2].hasPrefix(
                "not-back: when bed.exit is not followed by presence.detected in the same room within 20m (any device)")
        )
        #expect(
            words[3].hasPrefix(
                "morning: when a room has no presence.detected or door.opened between 06:00 and 09:00 (checked at 09:00 each day)"
            ))
        #expect(
            RuleDescriptions.describePolicies(site) == [
                "standard: at once role night-staff on duty and everyone on duty; after 2m more all of night and next of kin who consented (quiet hours kept unless critical or worse); after 5m more Alarmsentralen via sentral; the last tier repeats every 5m until acknowledged"
            ])
        // The roster leaves evenings, and weekend days, to nobody: said, not refused.
        #expect(
            RuleDescriptions.warnings(site) == [
                "the roster has nobody on duty on mon 15:00-22:00, tue 15:00-22:00, wed 15:00-22:00, thu 15:00-22:00, fri 15:00-22:00, and 2 more: on-duty targets reach nobody then"
            ])
    }

    @Test func refusesKeysThatDoNotApply() throws {
        let (_, errors) = try load(
            Self.channels + """
                rules:
                  - { id: a, events: [door.opened], alarm: d, severity: high, policy: standard, absence: { expect: [door.closed], within: 5m }, clears: [door.closed] }
                  - { id: b, alarm: i, severity: high, policy: standard, inactivity: { expect: [door.opened], from: "06:00", by: "24:00" }, when: "06:00-09:00", renotify: 1m }
                  - { id: c, events: [battery.low], alarm: l, severity: low, policy: standard, hold_off: 1h }
                  - { id: d, events: [sos], alarm: s, severity: high, policy: standard, when: { time: "22:00-07:00", days: [] } }

                """,
            people: Self.people.replacingOccurrences(
                of: "    rules: { night-door: { severity: critical }, suspected-fall: off }\n", with: ""))
        #expect(
            errors == [
                "escalation.yaml:12:129: rules[0]: 'clears' does not apply here: an absence or inactivity alarm waits for a person; it cannot be cleared by an event",
                "escalation.yaml:13:114: rules[1].inactivity.by: 'by' must be within the day, at the latest 23:59",
                "escalation.yaml:13:125: rules[1]: 'when' does not apply here: an inactivity rule's window is its from and by",
                "escalation.yaml:13:146: rules[1]: 'renotify' does not apply here: an inactivity alarm is raised once a day; its policy repeats it",
                "escalation.yaml:14:80: rules[2]: 'hold_off' does not apply here: a technical alarm is never held off: one that is not raised (offline, silent, a low battery) would not come again",
                "escalation.yaml:15:79: rules[3].when: a window on no days or dates never applies",
            ], "\(errors.joined(separator: "\n"))")
    }

    @Test func reportsBrokenRules() throws {
        let (_, errors) = try load(
            Self.channels + """
                rules:
                  - { id: a, events: [sos], alarm: sos, severity: high, policy: standard, when: "22-07" }
                  - { id: b, events: [sos], alarm: sos, severity: high, policy: standard, count: { times: 1, within: 1m } }
                  - { id: c, events: [door.opened], alarm: d, severity: high, policy: standard, absence: { expect: [door.opened], within: 1m } }
                  - { id: d, alarm: i, severity: high, policy: standard, inactivity: { expect: [door.opened], from: "09:00", by: "06:00" } }
                  - { id: e, events: [sos], alarm: s, severity: high, policy: standard, hold_off: 2d, dedup: floor }
                  - { id: f, events: [sos], alarm: s, severity: high, policy: standard, count: { times: 2, within: 1m }, absence: { expect: [sos.cleared], within: 1m } }
                  - { id: g, alarm: s, severity: high, policy: standard }
                roster:
                  shifts:
                    - { id: night, from: "22:00", to: "22:00" }
                  assignments:
                    - { shift: evening, staff: [nobody] }
                outcomes:
                  - { id: recovered, nb: x, en: x }

                """)
        #expect(
            errors == [
                "escalation.yaml:12:81: rules[0].when: '22-07' is not a time window; write HH:MM-HH:MM, e.g. 22:00-07:00",
                "escalation.yaml:13:91: rules[1].count.times: counting needs at least 2 events (1 is a plain rule)",
                "escalation.yaml:14:92: rules[2].absence: 'door.opened' cannot both start and end the wait",
                "escalation.yaml:15:110: rules[3].inactivity: 'by' (06:00) must be later the same day than 'from' (09:00)",
                "escalation.yaml:16:83: rules[4].hold_off: a hold-off may be at most 24h",
                "escalation.yaml:16:94: rules[4].dedup: bad value 'floor'; allowed: resident, room, device",
                "escalation.yaml:17:5: rules[5]: a rule is one of count, absence and inactivity, not count and absence",
                "escalation.yaml:18:5: rules[6]: missing required key 'events'",
                "escalation.yaml:21:7: roster.shifts[0]: a shift must end at another time than it starts",
                "escalation.yaml:23:16: roster.assignments[0].shift: unknown shift 'evening'",
                "escalation.yaml:23:33: roster.assignments[0].staff[0]: unknown staff member 'nobody'",
                "escalation.yaml:25:3: outcomes: list at least one outcome",
                "escalation.yaml:25:5: outcomes[0]: 'recovered' is the hub's own outcome; choose another id",
                // The residents' overrides name rules this config does not have.
                "people.yaml:15:26: residents[0].rules.night-door: unknown rule 'night-door'",
                "people.yaml:15:66: residents[0].rules.suspected-fall: unknown rule 'suspected-fall'",
            ], "\(errors.joined(separator: "\n"))")
    }

    @Test func warnsAboutRulesThatCannotWork() throws {
        let (loaded, _) = try load(
            Self.channels + """
                rules:
                  - { id: any-sos, events: [sos], alarm: sos, severity: critical, policy: standard, hold_off: 5m }
                  - { id: night-sos, events: [sos], alarm: sos, severity: high, policy: standard, when: "22:00-07:00" }

                """,
            people: Self.people.replacingOccurrences(
                of: "    rules: { night-door: { severity: critical }, suspected-fall: off }\n", with: ""))
        let site = try #require(loaded)
        #expect(
            RuleDescriptions.warnings(site) == [
                "rule any-sos is critical but has a hold-off of 5m: a second sos in that time raises nothing",
                "rule night-sos never raises: rule any-sos comes first and takes every sos event",
            ])
    }
}

private func instant(_ text: String) -> Date { RFC3339.date(from: text) ?? .distantPast }

extension CareRulesConfigTests {
    @Test func refusesDurationsBeyondAnyUse() throws {
        let (_, errors) = try load(
            Self.channels.replacingOccurrences(of: "repeat: 5m", with: "repeat: 999999999999999d") + "rules: []\n",
            people: Self.people.replacingOccurrences(
                of: "    rules: { night-door: { severity: critical }, suspected-fall: off }\n", with: ""))
        #expect(
            errors == [
                "escalation.yaml:10:13: policies[0].repeat: '999999999999999d' is longer than 100 years (36500d)"
            ])
    }
}
