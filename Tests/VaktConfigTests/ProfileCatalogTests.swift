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
                "zigbee2mqtt/aqara-mccgq11lm", "zigbee2mqtt/heiman-hs2fd-ef1", "zigbee2mqtt/tuya-mir-he200-ty-fall",
                "zigbee2mqtt/tuya-ts0215a-sos",
            ])
        for profile in catalog.profiles.values {
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
                "\(file):4:1: unknown key 'colour'; allowed keys: vendor, model, description, format, fields, samples",
                "\(file):8:45: fields[0].values.true: unknown event kind 'door.shut'; known kinds: \(known)",
                "\(file):9:5: fields[1]: a number field needs 'event'",
                "\(file):12:11: fields[2].type: bad value 'text'; allowed: bool, string, number",
                "\(file):16:27: samples[0].events[1]: unknown event kind 'door.exploded'; known kinds: \(known)",
                "\(file):17:14: samples[1].payload: the sample payload is not a JSON object",
            ])
    }
}
