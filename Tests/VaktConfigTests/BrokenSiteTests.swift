import Foundation
import Testing
import VaktCore

@testable import VaktConfig

/// A config with one of each kind of mistake, written to a temp dir: every one is reported,
/// at its own position, in one pass.
@Suite struct BrokenSiteTests {
    static let door = """
        vendor: Aqara
        model: MCCGQ11LM
        description: Door sensor
        fields:
          - field: contact
            type: bool
            values: { "false": door.opened, "true": door.closed }

        """

    static let files: [String: String] = [
        "site.yaml": """
        site:
          id: test
          name: Test site
          time_zone: Europe/Oslo
          colour: blue
        profiles: profiles

        """,
        "rooms.yaml": """
        rooms:
          - id: "101"
            name: Rom 101
          - id: "101"
            name: [Rom, 102]

        """,
        "staff.yaml": """
        staff:
          - id: ns1
            name: Nora
            role: night-staff
            contacts:
              - { channel: webhook, address: "+47 900 00 001" }
        groups:
          - id: night-staff
            members: [ns1]

        """,
        "devices.yaml": """
        devices:
          - id: door-1
            profile: zigbee2mqtt/door
            room: "999"
            topic: zigbee2mqtt/door-1

        """,
        "escalation.yaml": """
        channels:
          - id: webhook
            type: webhook
            url: http://127.0.0.1:8088/vakt
        policies:
          - id: standard
            tiers:
              - after: 0
                notify:
                  - { group: day-staff }
              - after: 2 minutes
                notify:
                  - { group: night-staff }
            repeat: 5m
        rules:
          - id: door
            events: [door.opened]
            alarm: door
            severity: high
            policy: standard

        """,
        "residents.yaml": """
        residents:
          - id: r-1
            name: Kari
            room: "101
          - id: r-2

        """,
        "profiles/zigbee2mqtt/door.yaml": door,
    ]

    /// The errors loading the directory gives, one line each, paths relative to it; a config
    /// that loads is itself a failure.
    static func errorLines(loading directory: ScratchDirectory) -> [String] {
        do {
            _ = try SiteLoader.load(directory: directory.path)
            Issue.record("the broken config loaded")
            return []
        } catch {
            let prefix = directory.path + "/"
            return error.description.split(separator: "\n").map { String($0.dropFirst(prefix.count)) }
        }
    }

    @Test func everyMistakeIsReportedAtItsPosition() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for (name, text) in Self.files { try directory.write(name, text) }

        let lines = Self.errorLines(loading: directory)
        #expect(
            lines == [
                "devices.yaml:4:11: devices[0].room: unknown room '999'",
                "escalation.yaml:10:22: policies[0].tiers[0].notify[0].group: unknown group 'day-staff'",
                "escalation.yaml:11:16: policies[0].tiers[1].after: bad duration '2 minutes'; write a number with a unit, e.g. 0, 90s, 2m or 1h30m",
                "residents.yaml:6:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar at line 4)",
                "rooms.yaml:4:9: rooms[1].id: duplicate room id '101' (first at line 2)",
                "rooms.yaml:5:11: rooms[1].name: expected a string, got a sequence",
                "site.yaml:5:3: site: unknown key 'colour'; allowed keys: id, name, time_zone, language",
            ], "\(lines)")
    }

    @Test func aConfigWithoutASiteSectionSaysSo() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("rooms.yaml", "rooms: []\nprofiles: profiles\n")
        try directory.write("profiles/zigbee2mqtt/door.yaml", Self.door)
        #expect(throws: ConfigErrors.self) { try SiteLoader.load(directory: directory.path) }
        do {
            _ = try SiteLoader.load(directory: directory.path)
        } catch {
            #expect(
                error.errors.map(\.message) == [
                    "no 'site' section: add one (usually in site.yaml) with id, name and time_zone"
                ])
            #expect(error.errors.first?.file == directory.path + "/site.yaml")
        }
    }

    @Test func aMissingConfigDirectoryIsOneClearError() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let missing = directory.path + "/etc-vakt"
        do {
            _ = try SiteLoader.load(directory: missing)
            Issue.record("a missing directory must not load")
        } catch {
            #expect(
                error.errors.map(\.description) == [
                    "\(missing):1:1: the config directory does not exist; pass --config DIR or set VAKT_CONFIG"
                ])
        }
        try directory.write("not-a-directory", "")
        do {
            _ = try SiteLoader.load(directory: directory.path + "/not-a-directory")
            Issue.record("a file must not load as a config directory")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors.first?.message.contains("is a file, not a directory") == true)
        }
    }

    /// Every way a device or bridge can be wired wrongly is named, at its position.
    @Test func devicesAndBridgesWiredWronglyAreReported() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("site.yaml", "site: { id: test, name: Test, time_zone: Europe/Oslo }\nprofiles: profiles\n")
        try directory.write("rooms.yaml", "rooms:\n  - { id: \"101\", name: Rom 101 }\n")
        try directory.write("profiles/zigbee2mqtt/door.yaml", Self.door)
        try directory.write(
            "profiles/contactid/unit.yaml",
            "vendor: G\nmodel: U\ndescription: Unit\nformat: contact-id\ncodes: { \"101\": { event: sos } }\n")
        try directory.write(
            "profiles/contactid/mlr2.yaml", "vendor: S\nmodel: MLR2\ndescription: Receiver\nformat: surgard-mlr2\n")
        try directory.write(
            "devices.yaml",
            """
            bridges:
              - { id: rx, type: receiver, profile: zigbee2mqtt/door, port: /dev/ttyS9, room: "101" }
              - { id: z2m, type: zigbee2mqtt, room: "101", max_silence: 1h }
              - { id: rx2, type: receiver, profile: contactid/mlr2, port: /dev/ttyS8, topic: x, room: "101" }
            devices:
              - { id: a, profile: zigbee2mqtt/door, room: "101", topic: z/a, port: /dev/ttyS1 }
              - { id: b, profile: zigbee2mqtt/door, room: "101", port: /dev/ttyS2 }
              - { id: c, profile: contactid/unit, room: "101", receiver: rx2, account: "12345" }
              - { id: d, profile: contactid/unit, room: "101", receiver: rx2, account: "1234", zone: "7" }
              - { id: e, profile: contactid/mlr2, room: "101", port: /dev/ttyS3 }
              - { id: f, profile: contactid/unit, room: "101", receiver: rx2, account: "12A4" }
              - { id: g, profile: contactid/unit, room: "101", receiver: rx2, account: "1204" }
              - { id: rx2, profile: zigbee2mqtt/door, room: "101", topic: z/rx2 }

            """)
        let lines = Self.errorLines(loading: directory)
        #expect(
            lines == [
                "devices.yaml:2:40: bridges[0].profile: 'zigbee2mqtt/door' is not a receiver profile (its format is json)",
                "devices.yaml:3:5: bridges[1]: a zigbee2mqtt bridge needs 'topic' (its base topic, usually zigbee2mqtt)",
                "devices.yaml:3:48: bridges[1]: 'max_silence' does not apply to a zigbee2mqtt bridge (it is watched through its bridge/state)",
                "devices.yaml:4:75: bridges[2]: 'topic' does not apply to a receiver",
                "devices.yaml:6:5: devices[0]: a device has topic and port; give only one",
                "devices.yaml:7:54: devices[1]: a device with a json profile needs 'topic', not 'port'",
                "devices.yaml:8:76: devices[2].account: a Contact ID account is four digits (0-9, B-F), like \"1234\"; got '12345'",
                "devices.yaml:9:90: devices[3].zone: a Contact ID zone is three digits, like \"001\"; got '7'",
                "devices.yaml:10:23: devices[4].profile: 'contactid/mlr2' describes an alarm receiver; list it under 'bridges'",
                // An account with an A is the account with a 0: receivers print it so.
                "devices.yaml:12:5: devices[6]: duplicate Contact ID account and zone 'account 1204 (all zones) on rx2' (first at line 11)",
                "devices.yaml:13:11: devices[7].id: 'rx2' is already the id of a bridge or receiver",
            ], "\(lines)")
    }
}
