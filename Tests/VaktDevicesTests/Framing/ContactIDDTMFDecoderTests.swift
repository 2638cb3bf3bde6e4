import Testing

@testable import VaktDevices

private typealias F = FramingFixtures

@Suite struct ContactIDDTMFDecoderTests {
    /// The Contact ID standard's example: account 1234, new perimeter burglary (131),
    /// partition 01, zone 015, checksum 8.
    static let burglary = "1234181131010158"
    static let burglaryMessage = F.message(code: "131", zone: "015")

    @Test(arguments: ["\r", "\n", "\r\n"])
    func readsTheStandardExampleWithAnyLineEnding(ending: String) {
        let decoded = F.decodeWhole(F.bytes(Self.burglary + ending + Self.burglary + ending), .contactIDDTMF)
        #expect(
            decoded == [
                .frame(.contactID(Self.burglaryMessage), raw: F.bytes(Self.burglary)),
                .frame(.contactID(Self.burglaryMessage), raw: F.bytes(Self.burglary)),
            ])
    }

    /// Asterisk's AlarmReceiver writes `event=` before each message with `no_group_meta`.
    @Test func readsAsteriskEventLines() {
        let decoded = F.decodeWhole(F.bytes("event=\(Self.burglary)\n"), .contactIDDTMF)
        #expect(F.frames(decoded) == [.contactID(Self.burglaryMessage)])
    }

    /// A restore of an opening/closing (4xx) names a user; `98` is the alternative identifier.
    @Test func infersUserAndAcceptsNinetyEight() {
        let fifteen = "1234983401010" + "03"
        let checksum = ContactIDMessage.checksumDigit(for: fifteen) ?? "?"
        let decoded = F.decodeWhole(F.bytes("\(fifteen)\(checksum)\r\n"), .contactIDDTMF)
        #expect(
            F.frames(decoded) == [
                .contactID(F.message(qualifier: .restore, code: "401", group: "01", zone: "003", isUser: true))
            ])
    }

    /// DTMF software writes the keys `*` and `#` for digits 11 and 12 (`B`, `C`).
    @Test func readsStarAndHashAsBAndC() {
        let fifteen = "*#341811310100B"
        let checksum = ContactIDMessage.checksumDigit(for: fifteen) ?? "?"
        let decoded = F.decodeWhole(F.bytes("\(fifteen)\(checksum)\n"), .contactIDDTMF)
        #expect(F.frames(decoded) == [.contactID(F.message(account: "BC34", code: "131", zone: "00B"))])
    }

    @Test func everySplitGivesTheFramesOnce() {
        let stream = F.bytes(Self.burglary + "\r\n" + Self.burglary + "\n")
        let whole = F.decodeWhole(stream, .contactIDDTMF)
        #expect(whole.count == 2)
        for split in 0...stream.count {
            #expect(F.decodeSplit(stream, at: split, .contactIDDTMF) == whole, "split at \(split)")
        }
        #expect(F.decodeByteByByte(stream, .contactIDDTMF) == whole)
    }

    @Test func manyFramesInOneChunk() {
        let stream = F.bytes(String(repeating: Self.burglary + "\r\n", count: 30))
        #expect(F.decodeWhole(stream, .contactIDDTMF).count == 30)
        #expect(F.frames(F.decodeWhole(stream, .contactIDDTMF)).count == 30)
    }

    @Test func idleNoiseIsNotGarbage() {
        let decoded = F.decodeWhole(F.bytes("\r\n\0\n  \r\n" + Self.burglary + "  \r\n\r\n"), .contactIDDTMF)
        #expect(decoded.count == 1)
        #expect(F.frames(decoded) == [.contactID(Self.burglaryMessage)])
    }

    @Test func garbageBeforeFrameOnTheSameLineIsOneRejection() {
        let decoded = F.decodeWhole(F.bytes("x?\u{7}99" + Self.burglary + "\r\n"), .contactIDDTMF)
        #expect(
            decoded == [
                .rejected(reason: "garbage before frame (5 bytes)", raw: F.bytes("x?\u{7}99")),
                .frame(.contactID(Self.burglaryMessage), raw: F.bytes(Self.burglary)),
            ])
    }

    @Test func longGarbageWithoutLineEndStillFindsTheFrame() {
        let decoded = F.decodeWhole(F.bytes(String(repeating: "7", count: 700) + Self.burglary + "\n"), .contactIDDTMF)
        #expect(F.reasons(decoded) == ["garbage before frame (700 bytes)"])
        #expect(F.frames(decoded) == [.contactID(Self.burglaryMessage)])
    }

    @Test func overlongLineIsRejected() {
        let decoded = F.decodeWhole(
            F.bytes(String(repeating: "7", count: 500) + "\n" + Self.burglary + "\n"), .contactIDDTMF)
        #expect(F.reasons(decoded) == ["frame longer than 256 bytes (500 bytes)"])
        #expect(F.frames(decoded) == [.contactID(Self.burglaryMessage)])
    }

    @Test func checksumGoodAndBad() {
        #expect(F.frames(F.decodeWhole(F.bytes(Self.burglary + "\n"), .contactIDDTMF)).count == 1)
        for wrong in "123456790BCDEF" where wrong != "8" {
            let line = String(Self.burglary.dropLast()) + String(wrong)
            let reason = F.onlyReason(line + "\n", .contactIDDTMF)
            #expect(reason?.hasPrefix("bad Contact ID checksum (digit sum ") == true, "checksum \(wrong)")
        }
        #expect(
            F.onlyReason("1234181131010157\n", .contactIDDTMF)
                == "bad Contact ID checksum (digit sum 59 is not a multiple of 15)")
    }

    @Test func checksumIsCheckedBeforeTheFields() {
        // One digit of "18" misheard: the sum no longer adds up, which is what went wrong.
        #expect(
            F.onlyReason("1234191131010158\n", .contactIDDTMF)
                == "bad Contact ID checksum (digit sum 61 is not a multiple of 15)")
    }

    @Test func rejectsEveryMalformedLine() {
        func valid(_ fifteen: String) -> String {
            fifteen + String(ContactIDMessage.checksumDigit(for: fifteen) ?? "?") + "\n"
        }
        #expect(
            F.onlyReason("123418113101015\n", .contactIDDTMF)
                == "Contact ID message \"123418113101015\" has 15 characters, expected 16 (AAAA18QXYZGGCCCS)")
        #expect(
            F.onlyReason("hello\n", .contactIDDTMF)
                == "Contact ID message \"hello\" has 5 characters, expected 16 (AAAA18QXYZGGCCCS)")
        #expect(
            F.onlyReason("12341811310G0158\n", .contactIDDTMF)
                == "bad Contact ID digit 'G' at position 12 (digits are 0-9, B-F)")
        #expect(
            F.onlyReason(valid("123417113101015"), .contactIDDTMF)
                == "bad Contact ID identifier \"17\" (expected 18 or 98)")
        #expect(
            F.onlyReason(valid("123418213101015"), .contactIDDTMF)
                == "bad Contact ID qualifier '2' (expected 1, 3 or 6)")
        #expect(
            F.onlyReason(valid("123418E13101015"), .contactIDDTMF)
                == "bad Contact ID qualifier 'E' (expected 1, 3 or 6)")
    }

    @Test func roundTrips() {
        let messages = [
            Self.burglaryMessage,
            F.message(account: "BCDF", qualifier: .previous, code: "E0F", group: "00", zone: "0B0"),
            F.message(account: "0000", qualifier: .restore, code: "401", group: "00", zone: "000", isUser: true),
            F.message(account: "FFFF", code: "602", group: "FF", zone: "FFF"),
        ]
        for message in messages {
            let bytes = LineEncoder.encode(.contactID(message), format: .contactIDDTMF)
            #expect(F.frames(F.decodeWhole(bytes, .contactIDDTMF)) == [.contactID(message)])
        }
        #expect(
            LineEncoder.encode(.contactID(Self.burglaryMessage), format: .contactIDDTMF)
                == F.bytes(Self.burglary + "\r\n"))
    }
}
