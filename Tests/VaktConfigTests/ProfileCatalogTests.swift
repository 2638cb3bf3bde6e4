import Foundation
import Testing
import VaktCore

@testable import VaktConfig

@Suite struct ProfileCatalogTests {
    @Test func everyProfileInDevicesLoadsWithoutErrors() throws {
        let catalog = ProfileCatalog.load(directory: Repository.devices)
        #expect(catalog.errors.isEmpty, "\(ConfigErrors(catalog.errors))")
        #expect(
            catalog.profiles.keys.sorted() == [
                "contactid/ademco-685", "contactid/contact-id-dtmf", "contactid/social-alarm", "contactid/surgard-mlr2",
                "vakt/dispenser-mqtt", "vakt/dispenser-serial", "zigbee2mqtt/aqara-mccgq11lm",
                "zigbee2mqtt/aqara-rtczcgq11lm", "zigbee2mqtt/aqara-sjcgq11lm", "zigbee2mqtt/heiman-hs1sa",
                "zigbee2mqtt/heiman-hs2fd-ef1", "zigbee2mqtt/owon-fds315", "zigbee2mqtt/sonoff-snzb-04",
                "zigbee2mqtt/tuya-mir-he200-ty-fall", "zigbee2mqtt/tuya-ts0215a-sos",
            ])
        for profile in catalog.profiles.values where profile.format == .json {
            #expect(profile.samples.count >= 3, "\(profile.id) has several samples")
            for sample in profile.samples {
                let object = try JSONSerialization.jsonObject(with: Data(sample.payload.utf8))
                #expect(object is [String: Any], "\(profile.id): \(sample.payload)")
            }
        }
    }

    @Test func theDoorSensorReadsContactFalseAsOpen() throws {
        let profile = try #require(
            ProfileCatalog.load(directory: Repository.devices).profiles["zigbee2mqtt/aqara-mccgq11lm"])
        #expect(profile.model == "MCCGQ11LM")
        #expect(
            profile.fields[0]
                == FieldMapping(field: "contact", type: .bool, values: ["false": .doorOpened, "true": .doorClosed]))
        #expect(profile.fields[1] == FieldMapping(field: "battery", type: .number, event: .batteryLevel))
    }

    @Test func theSOSButtonIgnoresAnEmptyOrNullAction() throws {
        let profile = try #require(
            ProfileCatalog.load(directory: Repository.devices).profiles["zigbee2mqtt/tuya-ts0215a-sos"])
        #expect(profile.fields[0].values == ["emergency": .sos])
        #expect(profile.fields[0].ignore == ["", "null"])
    }

    @Test func aBrokenProfileGivesPositionedErrors() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write(
            "zigbee2mqtt/broken.yaml",
            """
            vendor: Acme
            model: X1
            description: Broken sensor
            colour: red
            fields:
              - field: contact
                type: bool
                values: { "false": door.opened, "true": door.shut }
              - field: level
                type: number
              - field: mode
                type: text
                values: { a: sos }
            samples:
              - payload: '{"contact":false}'
                events: [door.opened, door.exploded]
              - payload: 'not json'
                events: []

            """)
        try directory.write(
            "zigbee2mqtt/good.yaml",
            """
            vendor: Acme
            model: X2
            description: Good sensor
            fields:
              - field: action
                type: string
                values: { emergency: sos }

            """)
        let catalog = ProfileCatalog.load(directory: directory.path)
        #expect(catalog.profiles.keys.sorted() == ["zigbee2mqtt/good"])
        let file = directory.path + "/zigbee2mqtt/broken.yaml"
        let known = EventKind.known.map(\.rawValue).sorted().joined(separator: ", ")
        #expect(
            ConfigErrors(catalog.errors).description.split(separator: "\n").map(String.init) == [
                "\(file):4:1: unknown key 'colour'; allowed keys: vendor, model, description, format, model_ids, fields, details, codes, serial, supervision, samples",
                "\(file):8:45: fields[0].values.true: unknown event kind 'door.shut'; known kinds: \(known)",
                "\(file):9:5: fields[1]: a number field needs 'event'",
                "\(file):12:11: fields[2].type: bad value 'text'; allowed: bool, string, number",
                "\(file):16:27: samples[0].events[1]: unknown event kind 'door.exploded'; known kinds: \(known)",
                "\(file):17:14: samples[1].payload: the sample payload is not a JSON object",
            ])
    }

    @Test func serialContactIDAndSupervisionKeysAreChecked() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write(
            "contactid/bad-unit.yaml",
            """
            vendor: Acme
            model: U1
            description: Unit
            format: contact-id
            fields:
              - { field: x, type: bool, values: { "true": sos } }
            codes:
              "1x1": { event: sos }
              "602": { event: test.missed }
            supervision: { max_silence: 0s, silent_event: sos }

            """)
        try directory.write(
            "contactid/bad-receiver.yaml",
            """
            vendor: Acme
            model: R1
            description: Receiver
            format: surgard-mlr2
            serial: { baud: 1234, data_bits: 9, parity: mark, stop_bits: 3 }
            samples:
              - { payload: "1011 @\\x14", events: [sos] }

            """)
        try directory.write(
            "contactid/good-receiver.yaml",
            """
            vendor: Acme
            model: R2
            description: Receiver
            format: ademco-685
            serial: { baud: 1200, data_bits: 7, parity: even }
            supervision: { max_silence: 2m }
            samples:
              - { payload: "\\n11 1107 18 E101 01 C001\\r", messages: ["1107 18 1101 01 001"] }

            """)
        let catalog = ProfileCatalog.load(directory: directory.path)
        #expect(catalog.profiles.keys.sorted() == ["contactid/good-receiver"])
        let receiver = try #require(catalog.profiles["contactid/good-receiver"])
        #expect(receiver.serial == SerialSettings(baud: 1200, dataBits: 7, parity: .even, stopBits: 1))
        #expect(receiver.supervision.maxSilence == 120)
        #expect(receiver.samples.first?.messages == ["1107 18 1101 01 001"])
        let unit = directory.path + "/contactid/bad-unit.yaml"
        let bad = directory.path + "/contactid/bad-receiver.yaml"
        let lines = ConfigErrors(catalog.errors).description.split(separator: "\n").map(String.init)
        for expected in [
            "\(bad):5:17: serial.baud: unsupported baud 1234",
            "\(bad):5:34: serial.data_bits: data_bits is 5 to 8, got 9",
            "\(bad):5:45: serial.parity: bad value 'mark'; allowed: none, even, odd",
            "\(bad):5:62: serial.stop_bits: stop_bits is 1 or 2, got 3",
            "\(bad):7:30: samples[0]: unknown key 'events'; allowed keys: payload, messages",
            "\(unit):5:1: 'fields' does not apply to format contact-id",
            "\(unit):8:3: codes: a Contact ID event code is three digits, like \"101\"; got '1x1'",
            "\(unit):9:19: codes.602.event: 'test.missed' is raised by the hub's supervision, not by a device",
            "\(unit):10:29: supervision.max_silence: must be longer than 0",
            "\(unit):10:47: supervision.silent_event: bad value 'sos'; allowed: device.silent, test.missed",
        ] {
            #expect(lines.contains { $0.hasPrefix(expected) }, "missing: \(expected)\n\(lines.joined(separator: "\n"))")
        }
    }
}
