import Testing
import VaktTesting

@testable import VaktDevices

private typealias F = FramingFixtures

@Suite struct LineEncoderTests {
    @Test func framesAFormatCannotCarryEncodeToNothing() {
        let message = SerialFrame.contactID(F.message())
        #expect(LineEncoder.encode(.heartbeat, format: .ademco685) == [])
        #expect(LineEncoder.encode(.heartbeat, format: .contactIDDTMF) == [])
        #expect(LineEncoder.encode(.heartbeat, format: .vaktLine) == [])
        #expect(LineEncoder.encode(message, format: .vaktLine) == [])
        for format in [LineFormat.ademco685, .surgardMLR2, .contactIDDTMF] {
            #expect(LineEncoder.encode(.fields(["event": "x"]), format: format) == [], "\(format)")
        }
    }

    @Test func invalidMessagesEncodeToNothing() {
        for format in [LineFormat.ademco685, .surgardMLR2, .contactIDDTMF] {
            #expect(LineEncoder.encode(.contactID(F.message(account: "12A4")), format: format) == [], "\(format)")
            #expect(LineEncoder.encode(.contactID(F.message(zone: "01")), format: format) == [], "\(format)")
        }
        #expect(LineEncoder.encode(.contactID(F.message(receiver: "12")), format: .ademco685) == [])
        #expect(LineEncoder.encode(.contactID(F.message(line: "")), format: .ademco685) == [])
        #expect(LineEncoder.encode(.contactID(F.message(receiver: "1")), format: .surgardMLR2) == [])
        #expect(LineEncoder.encode(.contactID(F.message(line: "1000")), format: .surgardMLR2) == [])
    }

    @Test func invalidFieldsEncodeToNothing() {
        #expect(LineEncoder.encode(.fields([:]), format: .vaktLine) == [])
        #expect(LineEncoder.encode(.fields(["Event": "x"]), format: .vaktLine) == [])
        #expect(LineEncoder.encode(.fields(["event": "a,b"]), format: .vaktLine) == [])
        #expect(LineEncoder.encode(.fields(["event": "a*b"]), format: .vaktLine) == [])
        #expect(LineEncoder.encode(.fields(["event": "\u{E9}"]), format: .vaktLine) == [])
        #expect(LineEncoder.encode(.fields(["note": String(repeating: "x", count: 250)]), format: .vaktLine) == [])
    }

    /// Whatever the encoder writes, the decoder reads back as the same frame.
    @Test func randomMessagesRoundTripInEveryFormat() {
        var random = SplitMix64(seed: 685)
        let digits = Array("0123456789BCDEF")
        func digitString(_ count: Int) -> String {
            String((0..<count).map { _ in digits[Int.random(in: 0..<digits.count, using: &random)] })
        }
        let qualifiers: [ContactIDQualifier] = [.newEvent, .restore, .previous]
        for _ in 0..<300 {
            let code = digitString(3)
            var message = ContactIDMessage(
                account: digitString(4), qualifier: qualifiers[Int.random(in: 0..<3, using: &random)], code: code,
                group: digitString(2), zone: digitString(3), isUser: ContactIDMessage.reportsUser(code: code))
            #expect(
                FramingFixtures.frames(
                    FramingFixtures.decodeWhole(
                        LineEncoder.encode(.contactID(message), format: .contactIDDTMF), .contactIDDTMF))
                    == [.contactID(message)])
            message.receiver = String(Int.random(in: 10...99, using: &random))
            message.line = String(Int.random(in: 1...999, using: &random))
            #expect(
                FramingFixtures.frames(
                    FramingFixtures.decodeWhole(
                        LineEncoder.encode(.contactID(message), format: .surgardMLR2), .surgardMLR2))
                    == [.contactID(message)])
            message.receiver = String(Int.random(in: 0...9, using: &random))
            message.line = String(Int.random(in: 0...9, using: &random))
            message.isUser = Bool.random(using: &random)
            #expect(
                FramingFixtures.frames(
                    FramingFixtures.decodeWhole(LineEncoder.encode(.contactID(message), format: .ademco685), .ademco685)
                )
                    == [.contactID(message)])
        }
    }
}
