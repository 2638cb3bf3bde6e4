import Testing
import VaktCore
import VaktTesting

@testable import VaktDevices

/// A Contact ID unit's code table: qualifiers, restores, unknown codes, and the sample form
/// `AAAA 18 QXYZ GG CCC`.
@Suite struct ContactIDDecoderTests {
    static let profile = DeviceProfile(
        id: "contactid/unit", vendor: "G", model: "U", description: "", format: .contactID,
        codes: [
            "101": ContactIDCode(event: .sos, restore: .sosCleared), "602": ContactIDCode(event: .testPeriodic),
        ])

    let decoder = ContactIDDecoder(profile: Self.profile)

    func kinds(_ text: String) -> [EventKind]? {
        ContactIDDecoder.message(from: text).map { decoder.decode($0, device: "unit").map(\.kind) }
    }

    @Test func newPreviousAndRestoreFollowTheTable() {
        #expect(kinds("1107 18 1101 01 001") == [.sos])
        #expect(kinds("1107 18 6101 01 001") == [.sos])
        #expect(kinds("1107 18 3101 01 001") == [.sosCleared])
        // No restore listed: a restore yields nothing.
        #expect(kinds("1107 18 3602 00 000") == [])
        #expect(kinds("1107 18 1130 01 004") == [.unknownState])
    }

    @Test func eventsCarryWhereTheyCameFrom() throws {
        let message = try #require(ContactIDDecoder.message(from: "1107 18 1101 02 005"))
        let event = try #require(decoder.decode(message, device: "unit").first)
        #expect(event.raw == "1107 18 1101 02 005")
        #expect(
            event.detail == ["account": "1107", "zone": "005", "group": "02", "code": "101", "qualifier": "new"])
    }

    @Test func theSampleFormRoundTrips() throws {
        for text in ["1107 18 1101 01 001", "B0C4 18 3384 00 012", "1234 18 6602 00 000"] {
            let message = try #require(ContactIDDecoder.message(from: text), "\(text)")
            #expect(ContactIDDecoder.text(of: message) == text)
        }
        #expect(ContactIDDecoder.message(from: "11071811010100") == nil, "one digit short")
        #expect(ContactIDDecoder.message(from: "1107 17 1101 01 001") == nil, "not 18 or 98")
        #expect(ContactIDDecoder.message(from: "1107 18 2101 01 001") == nil, "qualifier 2")
    }

    /// Random text never crashes the sample parser, and whatever it accepts decodes.
    @Test func randomTextNeverCrashes() {
        var generator = SplitMix64(seed: 0x4349_4430)
        let alphabet = Array("0123456789ABCDEFabcdef 18\u{14}\r\n*#é")
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let text = String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
            if let message = ContactIDDecoder.message(from: text) {
                #expect(decoder.decode(message, device: "unit").count <= 1)
            }
        }
    }
}
