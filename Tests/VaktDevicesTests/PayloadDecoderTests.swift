import Foundation
import Testing
import VaktCore
import VaktTesting

@testable import VaktDevices

/// Decodes `payload` with `profile` for device `d1`.
private func decode(_ profile: DeviceProfile, _ payload: String) -> Result<[DeviceEvent], DecodeError> {
    PayloadDecoder(profile: profile).decode(payload, device: "d1")
}

private func errorCode(_ result: Result<[DeviceEvent], DecodeError>) -> DecodeError.Code? {
    if case .failure(let error) = result { return error.code }
    return nil
}

private func kinds(_ result: Result<[DeviceEvent], DecodeError>) -> [EventKind]? {
    try? result.get().map(\.kind)
}

@Suite struct PayloadDecoderTests {
    @Test(arguments: [
        ("none", EventKind.fallCleared), ("maybe_fall", .fallSuspected), ("fall", .fallDetected),
    ])
    func tuyaFallStates(value: String, kind: EventKind) throws {
        let events = try decode(Profiles.tuyaRadar, #"{"fall_down_status":"\#(value)","presence":true}"#).get()
        #expect(events == [DeviceEvent(kind: kind, device: "d1", raw: value)])
    }

    @Test(arguments: [
        ("normal", EventKind.fallCleared), ("fall_warning", .fallSuspected), ("fall_alarm", .fallDetected),
    ])
    func heimanFallStates(value: String, kind: EventKind) throws {
        let events = try decode(Profiles.heimanFall, #"{"fall_status":"\#(value)","linkquality":87}"#).get()
        #expect(events == [DeviceEvent(kind: kind, device: "d1", raw: value)])
    }

    @Test func ignoredValueYieldsNothing() throws {
        #expect(try decode(Profiles.heimanFall, #"{"fall_status":"unknown","tamper":false}"#).get() == [])
        #expect(try decode(Profiles.sosButton, #"{"action":"","battery":100}"#).get().map(\.kind) == [.batteryLevel])
    }

    @Test func aqaraContact() throws {
        let opened = try decode(
            Profiles.aqaraContact,
            #"{"battery":91,"contact":false,"device_temperature":27,"linkquality":120,"voltage":3005}"#
        ).get()
        #expect(
            opened == [
                DeviceEvent(kind: .doorOpened, device: "d1", raw: "false"),
                DeviceEvent(kind: .batteryLevel, device: "d1", value: 91, raw: "91"),
            ])
        #expect(kinds(decode(Profiles.aqaraContact, #"{"contact":true}"#)) == [.doorClosed])
    }

    @Test func sosButton() throws {
        let events = try decode(Profiles.sosButton, #"{"action":"emergency","battery":100,"linkquality":255}"#).get()
        #expect(events.map(\.kind) == [.sos, .batteryLevel])
        #expect(events[0].raw == "emergency")
    }

    @Test func eventsFollowProfileOrderNotPayloadOrder() {
        #expect(
            kinds(decode(Profiles.aqaraContact, #"{"battery_low":true,"battery":5,"contact":false}"#))
                == [.doorOpened, .batteryLevel, .batteryLow])
    }

    @Test func numbersSentAsStrings() throws {
        let events = try decode(Profiles.sosButton, #"{"battery":"100.00"}"#).get()
        #expect(events == [DeviceEvent(kind: .batteryLevel, device: "d1", value: 100, raw: "100.00")])
        #expect(try decode(Profiles.sosButton, #"{"battery":" 42 "}"#).get().first?.value == 42)
        #expect(try decode(Profiles.sosButton, #"{"battery":-1.5e1}"#).get().first?.value == -15)
    }

    @Test func numberTextIsKeptAsSent() throws {
        #expect(try decode(Profiles.sosButton, #"{"battery":100.0}"#).get().first?.raw == "100.0")
    }

    @Test func boolsSentAsStrings() {
        #expect(kinds(decode(Profiles.aqaraContact, #"{"contact":"false"}"#)) == [.doorOpened])
        #expect(kinds(decode(Profiles.aqaraContact, #"{"contact":"true"}"#)) == [.doorClosed])
    }

    @Test func nullAndMissingFieldsAreSkipped() {
        #expect(kinds(decode(Profiles.aqaraContact, #"{"contact":null,"battery":null}"#)) == [])
        #expect(kinds(decode(Profiles.aqaraContact, #"{}"#)) == [])
        #expect(kinds(decode(Profiles.aqaraContact, #"{"linkquality":3}"#)) == [])
        #expect(kinds(decode(Profiles.aqaraContact, #"{"contact":null,"battery":7}"#)) == [.batteryLevel])
    }

    @Test func unknownValuesAreRecorded() throws {
        let events = try decode(Profiles.tuyaRadar, #"{"fall_down_status":"lying"}"#).get()
        #expect(events == [DeviceEvent(kind: .unknownState, device: "d1", raw: "lying")])
        // A bool value the profile does not map (no "false" here) is unknown too.
        let profile = DeviceProfile(
            id: "x/y", vendor: "v", model: "m", description: "",
            fields: [FieldMapping(field: "tamper", type: .bool, values: ["true": .tamper])])
        #expect(
            try decode(profile, #"{"tamper":false}"#).get() == [
                DeviceEvent(kind: .unknownState, device: "d1", raw: "false")
            ])
    }

    @Test func wrongTypeAloneIsRejected() {
        #expect(
            decode(Profiles.aqaraContact, #"{"contact":1}"#)
                == .failure(.wrongType(field: "contact", expected: "a bool", got: "a number")))
        #expect(
            decode(Profiles.aqaraContact, #"{"contact":"open"}"#)
                == .failure(.wrongType(field: "contact", expected: "a bool", got: "a string")))
        #expect(
            decode(Profiles.tuyaRadar, #"{"fall_down_status":{"a":1}}"#)
                == .failure(.wrongType(field: "fall_down_status", expected: "a string", got: "an object")))
        #expect(
            decode(Profiles.sosButton, #"{"battery":"full"}"#)
                == .failure(.wrongType(field: "battery", expected: "a number", got: "a string")))
        #expect(
            decode(Profiles.sosButton, #"{"battery":[1]}"#)
                == .failure(.wrongType(field: "battery", expected: "a number", got: "an array")))
        #expect(errorCode(decode(Profiles.sosButton, #"{"battery":"0x10"}"#)) == .wrongType)
        #expect(errorCode(decode(Profiles.sosButton, #"{"battery":"nan"}"#)) == .wrongType)
        #expect(errorCode(decode(Profiles.sosButton, #"{"battery":1e999}"#)) == .wrongType)
    }

    @Test func wrongTypeBesideGoodFieldsIsDropped() {
        // A fall alarm must not be lost to a battery reading in a strange shape.
        #expect(kinds(decode(Profiles.tuyaRadar, #"{"fall_down_status":"fall","battery":{"v":1}}"#)) == [.fallDetected])
    }

    @Test func notJSON() {
        for payload in ["", "fall", "{", #"{"a":}"#, #"{"a":1,}"#, "{'a':1}", #"{"a":1} x"#, "01", #"{"a":"\x"}"#] {
            #expect(errorCode(decode(Profiles.aqaraContact, payload)) == .notJSON, "\(payload)")
        }
    }

    @Test func notAnObject() {
        #expect(decode(Profiles.aqaraContact, #"[{"contact":true}]"#) == .failure(.notAnObject(got: "array")))
        #expect(decode(Profiles.aqaraContact, "true") == .failure(.notAnObject(got: "bool")))
        #expect(decode(Profiles.aqaraContact, #""contact""#) == .failure(.notAnObject(got: "string")))
    }

    @Test func oversizedPayloadIsRejectedUnparsed() {
        let big = [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)
        #expect(
            PayloadDecoder(profile: Profiles.sosButton).decode(big, device: "d1") == .failure(.tooLarge(bytes: 1 << 20))
        )
        let limit = #"{"action":"emergency","pad":""#.utf8.count + 2
        let padding = String(repeating: "x", count: PayloadDecoder.maximumPayloadBytes - limit)
        #expect(kinds(decode(Profiles.sosButton, #"{"action":"emergency","pad":"\#(padding)"}"#)) == [.sos])
    }

    @Test func deepNestingIsRejectedWithoutOverflow() {
        let deep = #"{"action":"# + String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000) + "}"
        #expect(errorCode(decode(Profiles.sosButton, deep)) == .notJSON)
        // The parser itself has no size limit; its depth limit alone must hold.
        #expect(throws: JSONParser.Failure.self) {
            try JSONParser.parse(Array(repeating: UInt8(ascii: "["), count: 1 << 20))
        }
        let fine =
            #"{"x":"# + String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
            + #","action":"emergency"}"#
        #expect(kinds(decode(Profiles.sosButton, fine)) == [.sos])
    }

    @Test func invalidUTF8IsNotJSON() {
        var bytes = Array(#"{"action":"emergency"#.utf8)
        bytes.append(contentsOf: [0xC3, 0x28, 0x22, 0x7D])
        #expect(errorCode(PayloadDecoder(profile: Profiles.sosButton).decode(bytes, device: "d1")) == .notJSON)
        #expect(errorCode(PayloadDecoder(profile: Profiles.sosButton).decode([0xFF, 0xFE], device: "d1")) == .notJSON)
    }

    @Test func escapesAndUnicode() throws {
        let profile = DeviceProfile(
            id: "x/y", vendor: "v", model: "m", description: "",
            fields: [FieldMapping(field: "state", type: .string, values: ["dør åpen": .doorOpened, "😀": .sos])])
        #expect(try decode(profile, #"{"state":"d\u00f8r \u00e5pen"}"#).get().map(\.kind) == [.doorOpened])
        #expect(try decode(profile, #"{"state":"\ud83d\ude00"}"#).get().map(\.kind) == [.sos])
        #expect(errorCode(decode(profile, #"{"state":"\ud83d"}"#)) == .notJSON)
        #expect(try decode(profile, "\u{FEFF}{\"state\":\"😀\"}").get().map(\.kind) == [.sos])
        #expect(try decode(profile, #" {"state" : "x\"y\n"} "#).get().first?.raw == "x\"y\n")
    }

    @Test func duplicateKeysKeepTheLast() {
        #expect(kinds(decode(Profiles.aqaraContact, #"{"contact":true,"contact":false}"#)) == [.doorOpened])
    }

    @Test func errorDescriptionsNameTheProblem() {
        #expect(DecodeError.tooLarge(bytes: 70_000).description.contains("70000"))
        #expect(
            DecodeError.wrongType(field: "battery", expected: "a number", got: "a string").description
                == "field battery should be a number but is a string")
        #expect(DecodeError.notAnObject(got: "array").field == nil)
    }

    /// Random bytes, and mutations of real payloads, never crash the decoder.
    @Test func fuzzNeverCrashes() {
        var generator = SplitMix64(seed: 0x5641_4B54)
        let seeds = [
            #"{"fall_down_status":"fall","battery":"100.00","linkquality":3,"x":[1,{"y":null}]}"#,
            #"{"contact":false,"battery":91,"battery_low":"true"}"#,
            #"{"action":"emergency","battery":-1.5e+3,"s":"\u00e5\ud83d\ude00"}"#,
        ].map { Array($0.utf8) }
        let alphabet = Array(#"{}[]:,"\-+.eE0123456789truefalsenull u"#.utf8) + [0x00, 0xC3, 0xFF, 0xED, 0xA0]
        var decoded = 0
        for round in 0..<6_000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            case 1:
                bytes = (0..<Int(generator.next() % 120)).map { _ in
                    alphabet[Int(generator.next() % UInt64(alphabet.count))]
                }
            default:
                bytes = seeds[Int(generator.next() % UInt64(seeds.count))]
                for _ in 0..<Int(1 + generator.next() % 4) where !bytes.isEmpty {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    switch generator.next() % 3 {
                    case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
                    }
                }
            }
            for profile in Profiles.all {
                if case .success = PayloadDecoder(profile: profile).decode(bytes, device: "d1") { decoded += 1 }
            }
        }
        // Some mutated payloads must still parse, or the fuzzer only tested the first byte.
        #expect(decoded > 100)
    }

    /// Every prefix of a valid payload is rejected as not JSON, never half-decoded.
    @Test func everyTruncationIsRejected() {
        let payload = Array(#"{"fall_down_status":"fall","battery":"100.00","n":[1,2.5e3,null]}"#.utf8)
        for end in 0..<payload.count {
            let result = PayloadDecoder(profile: Profiles.tuyaRadar).decode(Array(payload[..<end]), device: "d1")
            #expect(errorCode(result) == .notJSON, "prefix \(end)")
        }
    }
}
