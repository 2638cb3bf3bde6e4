import Testing

@testable import VaktDevices

private typealias F = FramingFixtures

@Suite struct Ademco685DecoderTests {
    /// Receiver 1, line group 1, as the 685 manual's Contact ID figure lays it out.
    static let smoke = "\n11 7777 18 E111 00 C002\r"
    static let closing = "\n11 1234 18 R401 02 U001\r"

    @Test func readsManualSamples() {
        let decoded = F.decodeWhole(F.bytes(Self.smoke + Self.closing), .ademco685)
        #expect(
            decoded == [
                .frame(
                    .contactID(
                        F.message(receiver: "1", line: "1", account: "7777", code: "111", group: "00", zone: "002")),
                    raw: F.bytes("11 7777 18 E111 00 C002")),
                .frame(
                    .contactID(
                        F.message(
                            receiver: "1", line: "1", qualifier: .restore, code: "401", group: "02", isUser: true)),
                    raw: F.bytes("11 1234 18 R401 02 U001")),
            ])
    }

    @Test(arguments: [("P", ContactIDQualifier.previous), ("1", .newEvent), ("3", .restore), ("6", .previous)])
    func readsEveryQualifierSpelling(spelling: String, qualifier: ContactIDQualifier) {
        let decoded = F.decodeWhole(F.bytes("\n31 1234 18 \(spelling)602 00 C000\r"), .ademco685)
        #expect(
            F.frames(decoded) == [
                .contactID(
                    F.message(receiver: "3", line: "1", qualifier: qualifier, code: "602", group: "00", zone: "000"))
            ])
    }

    /// The 685 prints digit ten as 0; an `A` that slips through is read the same way, and
    /// hex digits are normalised to upper case.
    @Test func normalisesDigitSpellings() {
        let decoded = F.decodeWhole(F.bytes("\n11 1a3c 98 e10b 0f Cd01\r"), .ademco685)
        #expect(decoded.count == 1)
        let expected = F.message(receiver: "1", line: "1", account: "103C", code: "10B", group: "0F", zone: "D01")
        // Lower-case qualifier letters are not a 685 spelling: rejected, not guessed.
        #expect(F.reasons(decoded) == ["bad Contact ID qualifier 'e' (expected E, R or P (or 1, 3 or 6))"])
        let upper = F.decodeWhole(F.bytes("\n11 1a3c 98 E10b 0f Cd01\r"), .ademco685)
        #expect(F.frames(upper) == [.contactID(expected)])
    }

    @Test func everySplitGivesTheFrameOnce() {
        let stream = F.bytes(Self.smoke)
        let whole = F.decodeWhole(stream, .ademco685)
        #expect(whole.count == 1)
        for split in 0...stream.count {
            #expect(F.decodeSplit(stream, at: split, .ademco685) == whole, "split at \(split)")
        }
        #expect(F.decodeByteByByte(stream, .ademco685) == whole)
    }

    @Test func manyFramesInOneChunk() {
        let stream = F.bytes(String(repeating: Self.smoke + "\n" + Self.closing, count: 20))
        let frames = F.frames(F.decodeWhole(stream, .ademco685))
        #expect(frames.count == 40)
        #expect(F.decodeWhole(stream, .ademco685).count == 40)
    }

    @Test func idleNoiseIsNotGarbage() {
        let decoded = F.decodeWhole(F.bytes("\r\n\r\n\0 \n\r" + Self.smoke + "\r\r\n\n"), .ademco685)
        #expect(decoded.count == 1)
        #expect(F.frames(decoded).count == 1)
    }

    @Test func garbageBetweenFramesIsOneRejection() {
        let decoded = F.decodeWhole(F.bytes(Self.smoke + "xx\u{7F} zz?#\r" + Self.closing), .ademco685)
        #expect(decoded.count == 3)
        #expect(decoded[1] == .rejected(reason: "garbage before frame (8 bytes)", raw: F.bytes("xx\u{7F} zz?#")))
        #expect(F.frames(decoded).count == 2)
    }

    @Test func frameCutShortByTheNextIsReported() {
        let decoded = F.decodeWhole(F.bytes("\n11 1234 18 E1" + Self.smoke), .ademco685)
        #expect(
            F.reasons(decoded) == ["incomplete frame (13 bytes): a new frame began before its terminator"])
        #expect(F.frames(decoded).count == 1)
    }

    @Test func overlongFrameIsRejectedAndSkipped() {
        let long = "\n" + String(repeating: "1", count: 400) + "\r"
        let decoded = F.decodeWhole(F.bytes(long + Self.smoke), .ademco685)
        #expect(F.reasons(decoded) == ["frame longer than 256 bytes"])
        #expect(F.frames(decoded).count == 1)
        if case .rejected(_, let raw) = decoded[0] { #expect(raw.count <= LineDecoder.maximumFrameBytes) }
    }

    @Test(arguments: [
        ("\n11 1234 18 E101 01\r", "not an Ademco 685 Contact ID line: 5 fields, expected 6 (RG AAAA 18 QXYZ GG FCCC)"),
        ("\n1 1234 18 E101 01 C001\r", "bad receiver and line \"1\" (expected 2 digits, RG)"),
        ("\n1X 1234 18 E101 01 C001\r", "bad receiver and line \"1X\" (expected 2 digits, RG)"),
        ("\n11 12G4 18 E101 01 C001\r", "bad account \"12G4\" (expected 4 digits 0-9, B-F)"),
        ("\n11 123 18 E101 01 C001\r", "bad account \"123\" (expected 4 digits 0-9, B-F)"),
        ("\n11 1234 17 E101 01 C001\r", "bad Contact ID identifier \"17\" (expected 18 or 98)"),
        ("\n11 1234 18 X101 01 C001\r", "bad Contact ID qualifier 'X' (expected E, R or P (or 1, 3 or 6))"),
        ("\n11 1234 18 E10 01 C001\r", "bad event \"E10\" (expected a qualifier and 3 digits, like E101)"),
        ("\n11 1234 18 E1G1 01 C001\r", "bad event code \"1G1\" (expected 3 digits 0-9, B-F)"),
        ("\n11 1234 18 E101 1 C001\r", "bad group \"1\" (expected 2 digits 0-9, B-F)"),
        ("\n11 1234 18 E101 01 Z001\r", "bad zone or user \"Z001\" (expected C or U and 3 digits, like C001)"),
        ("\n11 1234 18 E101 01 C0\u{1}1\r", "bad zone \"0\\x011\" (expected 3 digits 0-9, B-F)"),
    ])
    func rejectsMalformedLines(line: String, reason: String) {
        #expect(F.onlyReason(line, .ademco685) == reason)
    }

    @Test func roundTrips() {
        let messages = [
            F.message(receiver: "1", line: "1"),
            F.message(receiver: "9", line: "0", account: "BCDF", qualifier: .previous, code: "E0F", zone: "0B0"),
            F.message(
                receiver: "2", line: "3", qualifier: .restore, code: "401", group: "00", zone: "012", isUser: true),
        ]
        for message in messages {
            let bytes = LineEncoder.encode(.contactID(message), format: .ademco685)
            #expect(F.frames(F.decodeWhole(bytes, .ademco685)) == [.contactID(message)])
        }
        #expect(
            LineEncoder.encode(.contactID(F.message()), format: .ademco685) == F.bytes("\n11 1234 18 E101 01 C001\r"))
    }
}
