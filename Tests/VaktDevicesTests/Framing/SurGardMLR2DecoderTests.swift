import Testing

@testable import VaktDevices

private typealias F = FramingFixtures

@Suite struct SurGardMLR2DecoderTests {
    /// The MLR2 manual's example: account 1234, duress, group 01, zone 001, receiver 01, line 1.
    static let duress = "5011 181234E12101001\u{14}"
    /// The supervisory heartbeat as the MLR2 manual spells it: 11 spaces, `@`, 4 spaces.
    static let heartbeat = "1011           @    \u{14}"

    static let duressMessage = F.message(receiver: "01", line: "1", code: "121", isUser: true)

    @Test func readsManualSamples() {
        let decoded = F.decodeWhole(F.bytes(Self.duress + Self.heartbeat), .surgardMLR2)
        #expect(
            decoded == [
                .frame(.contactID(Self.duressMessage), raw: F.bytes("5011 181234E12101001")),
                .frame(.heartbeat, raw: F.bytes("1011           @    ")),
            ])
    }

    /// Newer Sur-Gard receivers print a three-digit line, and `1RR000` in the heartbeat.
    @Test func readsThreeDigitLinesAndNewerHeartbeat() {
        let decoded = F.decodeWhole(F.bytes("501100 181234E12101001\u{14}101000           @    \u{14}"), .surgardMLR2)
        #expect(
            F.frames(decoded) == [
                .contactID(F.message(receiver: "01", line: "100", code: "121", isUser: true)), .heartbeat,
            ])
    }

    @Test(arguments: ["1011 @\u{14}", "1011@ \u{14}", "1011                      @\u{14}"])
    func acceptsAnyRunOfSpacesInHeartbeat(line: String) {
        let decoded = F.decodeWhole(F.bytes(line), .surgardMLR2)
        if line.contains(" @") {
            #expect(F.frames(decoded) == [.heartbeat])
        } else {
            #expect(
                F.reasons(decoded) == ["malformed Sur-Gard heartbeat \"1011@ \" (expected 1011, spaces, @, spaces)"])
        }
    }

    @Test(arguments: [
        ("1", ContactIDQualifier.newEvent), ("3", .restore), ("6", .previous), ("R", .restore), ("P", .previous),
    ])
    func readsEveryQualifierSpelling(spelling: String, qualifier: ContactIDQualifier) {
        let decoded = F.decodeWhole(F.bytes("5011 181234\(spelling)10201001\u{14}"), .surgardMLR2)
        #expect(
            F.frames(decoded) == [.contactID(F.message(receiver: "01", line: "1", qualifier: qualifier, code: "102"))])
    }

    /// Some setups put a space or a line feed before each message, or CR LF after the DC4.
    @Test func toleratesLeadingSpaceAndLineFeeds() {
        let decoded = F.decodeWhole(F.bytes(" " + Self.duress + "\r\n\n" + Self.heartbeat + "\n \0"), .surgardMLR2)
        #expect(decoded.count == 2)
        #expect(F.frames(decoded) == [.contactID(Self.duressMessage), .heartbeat])
    }

    @Test func everySplitGivesTheFramesOnce() {
        let stream = F.bytes(Self.duress + Self.heartbeat)
        let whole = F.decodeWhole(stream, .surgardMLR2)
        #expect(whole.count == 2)
        for split in 0...stream.count {
            #expect(F.decodeSplit(stream, at: split, .surgardMLR2) == whole, "split at \(split)")
        }
        #expect(F.decodeByteByByte(stream, .surgardMLR2) == whole)
    }

    @Test func manyFramesInOneChunk() {
        let stream = F.bytes(String(repeating: Self.duress + Self.heartbeat, count: 25))
        #expect(F.frames(F.decodeWhole(stream, .surgardMLR2)).count == 50)
        #expect(F.decodeWhole(stream, .surgardMLR2).count == 50)
    }

    @Test func garbageBeforeFrameOnTheSameLineIsOneRejection() {
        let decoded = F.decodeWhole(F.bytes(Self.duress + "#!x?55" + Self.duress), .surgardMLR2)
        #expect(
            decoded == [
                .frame(.contactID(Self.duressMessage), raw: F.bytes("5011 181234E12101001")),
                .rejected(reason: "garbage before frame (6 bytes)", raw: F.bytes("#!x?55")),
                .frame(.contactID(Self.duressMessage), raw: F.bytes("5011 181234E12101001")),
            ])
    }

    @Test func garbageLineIsRejectedAndTheNextFrameStillDecodes() {
        let decoded = F.decodeWhole(F.bytes("\u{80}\u{FF}\u{14}" + Self.heartbeat), .surgardMLR2)
        #expect(F.reasons(decoded) == ["not a Sur-Gard message: \"\\xC2\\x80\\xC3\\xBF\""])
        #expect(F.frames(decoded) == [.heartbeat])
    }

    @Test func longGarbageWithoutTerminatorStillFindsTheFrame() {
        let garbage = String(repeating: "Z", count: 1000)
        let decoded = F.decodeWhole(F.bytes(garbage + Self.duress), .surgardMLR2)
        #expect(decoded.count == 2)
        #expect(F.reasons(decoded) == ["garbage before frame (1000 bytes)"])
        if case .rejected(_, let raw) = decoded[0] { #expect(raw.count == LineDecoder.maximumFrameBytes) }
        #expect(F.frames(decoded) == [.contactID(Self.duressMessage)])
    }

    @Test func overlongLineIsRejected() {
        let decoded = F.decodeWhole(
            F.bytes(String(repeating: "5", count: 300) + "\u{14}" + Self.heartbeat), .surgardMLR2)
        #expect(F.reasons(decoded) == ["frame longer than 256 bytes (300 bytes)"])
        #expect(F.frames(decoded) == [.heartbeat])
    }

    @Test(arguments: [
        (
            "5011 181234E1210100\u{14}",
            "Sur-Gard Contact ID body \"181234E1210100\" has 14 characters, expected 15 (18AAAAQXYZGGCCC)"
        ),
        ("5011181234E12101001\u{14}", "Sur-Gard Contact ID message has no space after its receiver and line"),
        ("501 181234E12101001\u{14}", "bad receiver and line \"01\" (expected RR and L, 3 to 5 digits, like 011)"),
        ("5011 171234E12101001\u{14}", "bad Contact ID identifier \"17\" (expected 18 or 98)"),
        ("5011 18123GE12101001\u{14}", "bad account \"123G\" (expected 4 digits 0-9, B-F)"),
        ("5011 181234X12101001\u{14}", "bad Contact ID qualifier 'X' (expected E, R or P (or 1, 3 or 6))"),
        ("5011 181234E1G101001\u{14}", "bad event code \"1G1\" (expected 3 digits 0-9, B-F)"),
        ("5011 181234E121G1001\u{14}", "bad group \"G1\" (expected 2 digits 0-9, B-F)"),
        ("5011 181234E12101G01\u{14}", "bad zone \"G01\" (expected 3 digits 0-9, B-F)"),
        ("1011    X@\u{14}", "malformed Sur-Gard heartbeat \"1011    X@\" (expected 1011, spaces, @, spaces)"),
        (
            "3011    001234NA0001\u{14}",
            "unsupported Sur-Gard message type '3' (only Contact ID, type 5, and the 1011 heartbeat are read)"
        ),
        (
            "1011    001234 A001\u{14}",
            "unsupported Sur-Gard message type '1' (only Contact ID, type 5, and the 1011 heartbeat are read)"
        ),
    ])
    func rejectsMalformedMessages(line: String, reason: String) {
        #expect(F.onlyReason(line, .surgardMLR2) == reason)
    }

    @Test func roundTrips() {
        let messages = [
            F.message(receiver: "01", line: "1", code: "121", isUser: true),
            F.message(receiver: "12", line: "100", account: "BCDF", qualifier: .restore, code: "302", zone: "000"),
            F.message(receiver: "99", line: "9", qualifier: .previous, code: "654", group: "00", zone: "0F1"),
            F.message(receiver: "FE", line: "A0", code: "654", group: "00"),
        ]
        for message in messages {
            let bytes = LineEncoder.encode(.contactID(message), format: .surgardMLR2)
            #expect(F.frames(F.decodeWhole(bytes, .surgardMLR2)) == [.contactID(message)])
        }
        #expect(LineEncoder.encode(.contactID(Self.duressMessage), format: .surgardMLR2) == F.bytes(Self.duress))
        #expect(LineEncoder.encode(.heartbeat, format: .surgardMLR2) == F.bytes(Self.heartbeat))
        // Without receiver and line, the encoder uses receiver 01, line 1.
        let bare = F.message(code: "121", isUser: true)
        #expect(LineEncoder.encode(.contactID(bare), format: .surgardMLR2) == F.bytes(Self.duress))
    }
}
