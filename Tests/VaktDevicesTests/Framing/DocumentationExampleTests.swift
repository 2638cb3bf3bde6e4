import Testing

@testable import VaktDevices

private typealias F = FramingFixtures

/// The examples in docs/devices/contact-id.md and docs/devices/dispenser.md, so a vendor who
/// copies one gets a line the hub accepts.
@Suite struct DocumentationExampleTests {
    static let dispenserLines = [
        "$VAKT,event=dose_due,dose=2026-11-27-0800,scheduled=2026-11-27T08:00:00+01:00*56",
        "$VAKT,event=dose_taken,battery=84,dose=2026-11-27-0800,scheduled=2026-11-27T08:00:00+01:00*27",
        "$VAKT,event=dose_missed,dose=2026-11-27-0800,scheduled=2026-11-27T08:00:00+01:00*27",
        "$VAKT,event=refill_low,doses_left=3*4E",
        "$VAKT,event=jammed,battery=61*04",
        "$VAKT,event=jam_cleared*34",
        "$VAKT,event=status,battery=80,doses_left=12*2D",
        "$VAKT,ack*4D",
        "$VAKT,nak,reason=bad checksum: the line says 26; its content gives 27*19",
    ]

    @Test func dispenserLinesDecodeAndAreWhatTheEncoderWrites() {
        for line in Self.dispenserLines {
            let decoded = F.decodeWhole(F.bytes(line + "\r\n"), .vaktLine)
            guard case .frame(let frame, _)? = decoded.first, decoded.count == 1 else {
                Issue.record("\(line) did not decode: \(decoded)")
                continue
            }
            #expect(LineEncoder.encode(frame, format: .vaktLine) == F.bytes(line + "\r\n"))
        }
    }

    @Test func nakExampleIsWhatTheHubSends() {
        let decoded = F.decodeWhole(
            F.bytes("$VAKT,event=dose_missed,dose=2026-11-27-0800,scheduled=2026-11-27T08:00:00+01:00*26\r\n"),
            .vaktLine)
        let nak = decoded.first.flatMap(LineFormat.vaktLine.acknowledgement(for:))
        #expect(nak == F.bytes(Self.dispenserLines[8] + "\r\n"))
    }

    @Test func checksumFunctionExample() {
        #expect(VaktLineSentence.checksum("VAKT,event=jammed".utf8) == 0x7F)
    }

    @Test func contactIDExamples() {
        let ademco = F.decodeWhole(F.bytes("\n11 1107 18 E101 01 C001\r"), .ademco685)
        #expect(F.frames(ademco) == [.contactID(F.message(receiver: "1", line: "1", account: "1107"))])
        let bytes: [UInt8] = [
            0x0A, 0x31, 0x31, 0x20, 0x31, 0x31, 0x30, 0x37, 0x20, 0x31, 0x38, 0x20, 0x45, 0x31, 0x30, 0x31, 0x20, 0x30,
            0x31, 0x20, 0x43, 0x30, 0x30, 0x31, 0x0D,
        ]
        #expect(bytes == F.bytes("\n11 1107 18 E101 01 C001\r"))
        let surGard = F.decodeWhole(F.bytes("5011 181234E12101001\u{14}"), .surgardMLR2)
        #expect(F.frames(surGard) == [.contactID(F.message(receiver: "01", line: "1", code: "121", isUser: true))])
        let dtmf = F.decodeWhole(F.bytes("1234181131010158\r\n"), .contactIDDTMF)
        #expect(F.frames(dtmf) == [.contactID(F.message(code: "131", zone: "015"))])
        #expect(
            F.onlyReason("1234181131010157\n", .contactIDDTMF)
                == "bad Contact ID checksum (digit sum 59 is not a multiple of 15)")
    }
}
