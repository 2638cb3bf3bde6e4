import Testing

@testable import VaktDevices

private typealias F = FramingFixtures

@Suite struct VaktLineDecoderTests {
    static let missed = "$VAKT,event=dose_missed,dose=D-0800,scheduled=2026-11-27T08:00:00+01:00*60\r\n"
    static let missedFields = ["event": "dose_missed", "dose": "D-0800", "scheduled": "2026-11-27T08:00:00+01:00"]
    static let refill = "$VAKT,event=refill_low,battery=15*3E\n"

    /// Builds a line around `content` with a correct checksum, to test what comes after it.
    static func line(_ content: String, ending: String = "\r\n") -> String {
        let sum = content.utf8.reduce(0, ^)
        return "$" + content + "*" + FrameText.hex(sum) + ending
    }

    @Test func readsContractSamples() {
        let decoded = F.decodeWhole(F.bytes(Self.missed + Self.refill), .vaktLine)
        #expect(
            decoded == [
                .frame(.fields(Self.missedFields), raw: F.bytes(String(Self.missed.dropLast()))),
                .frame(
                    .fields(["event": "refill_low", "battery": "15"]), raw: F.bytes(String(Self.refill.dropLast()))),
            ])
    }

    @Test func acceptsLowercaseChecksumAndBareKeys() {
        let decoded = F.decodeWhole(F.bytes("$VAKT,event=jammed*7f\n$VAKT,ack*4D\r\n$VAKT,note=*09\n"), .vaktLine)
        #expect(F.frames(decoded) == [.fields(["event": "jammed"]), .fields(["ack": ""]), .fields(["note": ""])])
    }

    @Test func everySplitGivesTheFramesOnce() {
        let stream = F.bytes(Self.missed + Self.refill)
        let whole = F.decodeWhole(stream, .vaktLine)
        #expect(whole.count == 2)
        for split in 0...stream.count {
            #expect(F.decodeSplit(stream, at: split, .vaktLine) == whole, "split at \(split)")
        }
        #expect(F.decodeByteByByte(stream, .vaktLine) == whole)
    }

    @Test func manyFramesInOneChunk() {
        let stream = F.bytes(String(repeating: Self.missed + Self.refill, count: 20))
        #expect(F.decodeWhole(stream, .vaktLine).count == 40)
        #expect(F.frames(F.decodeWhole(stream, .vaktLine)).count == 40)
    }

    @Test func idleNoiseIsNotGarbage() {
        let decoded = F.decodeWhole(F.bytes("\r\n\0\0 \t\n" + Self.missed + "\r\n\n"), .vaktLine)
        #expect(decoded.count == 1)
    }

    @Test func garbageBetweenFramesIsOneRejection() {
        let decoded = F.decodeWhole(
            F.bytes(Self.missed + "Dispenser booting...\r\nv1.2 ok\r\n" + Self.refill), .vaktLine)
        #expect(decoded.count == 3)
        #expect(
            decoded[1]
                == .rejected(reason: "garbage before frame (29 bytes)", raw: F.bytes("Dispenser booting...\r\nv1.2 ok"))
        )
    }

    @Test func frameCutShortByTheNextIsReported() {
        let decoded = F.decodeWhole(F.bytes("$VAKT,event=dose_mi" + Self.refill), .vaktLine)
        #expect(
            decoded.first
                == .rejected(
                    reason: "incomplete frame (19 bytes): a new frame began before its terminator",
                    raw: F.bytes("$VAKT,event=dose_mi")))
        #expect(F.frames(decoded).count == 1)
    }

    @Test func lineOfExactlyTheMaximumIsAccepted() {
        let header = "VAKT,note="
        // `$`, content, `*HH`, CR LF: 6 bytes around the content.
        let content = header + String(repeating: "x", count: LineDecoder.maximumFrameBytes - 6 - header.count)
        let line = Self.line(content)
        #expect(line.utf8.count == LineDecoder.maximumFrameBytes)
        #expect(F.frames(F.decodeWhole(F.bytes(line), .vaktLine)).count == 1)
        let longer = Self.line(content + "x")
        let decoded = F.decodeWhole(F.bytes(longer + Self.refill), .vaktLine)
        #expect(F.reasons(decoded) == ["frame longer than 256 bytes"])
        #expect(F.frames(decoded).count == 1)
    }

    @Test func checksumGoodAndBad() {
        #expect(
            F.frames(F.decodeWhole(F.bytes(Self.line("VAKT,event=jammed")), .vaktLine)) == [
                .fields(["event": "jammed"])
            ])
        #expect(
            F.onlyReason("$VAKT,event=jammed*7E\r\n", .vaktLine)
                == "bad checksum: the line says 7E, its content gives 7F")
        #expect(
            F.onlyReason("$VAKT,event=jammeD*7F\r\n", .vaktLine)
                == "bad checksum: the line says 7F, its content gives 5F")
    }

    @Test(arguments: [
        ("$VAKT,event=jammed\r\n", "missing checksum: no '*' before the end of the line"),
        ("$VAKT,event=jammed*7\r\n", "bad checksum field \"7\" (expected 2 hex digits after '*')"),
        ("$VAKT,event=jammed*7FF\r\n", "bad checksum field \"7FF\" (expected 2 hex digits after '*')"),
        ("$VAKT,event=jammed*G1\r\n", "bad checksum field \"G1\" (expected 2 hex digits after '*')"),
    ])
    func rejectsBadChecksumFields(line: String, reason: String) {
        #expect(F.onlyReason(line, .vaktLine) == reason)
    }

    @Test(arguments: [
        ("GPGGA,1,2", "not a $VAKT sentence: it begins \"$GPGGA\""),
        ("VAKT", "$VAKT sentence has no fields"),
        ("VAKT,event=jammed,,x=1", "field 2 is empty"),
        ("VAKT,Event=jammed", "bad key \"Event\" in field 1 (keys are a-z, 0-9 and _)"),
        ("VAKT,=jammed", "bad key \"\" in field 1 (keys are a-z, 0-9 and _)"),
        ("VAKT,dose-id=1", "bad key \"dose-id\" in field 1 (keys are a-z, 0-9 and _)"),
        ("VAKT,event=a=b", "bad character '=' in the value of \"event\" (values are printable ASCII without , * $ =)"),
        (
            "VAKT,event=caf\u{E9}",
            "bad character 0xC3 in the value of \"event\" (values are printable ASCII without , * $ =)"
        ),
        ("VAKT,note=a\tb", "bad character 0x09 in the value of \"note\" (values are printable ASCII without , * $ =)"),
        ("VAKT,dose=1,event=x,dose=2", "duplicate key \"dose\""),
    ])
    func rejectsMalformedFields(content: String, reason: String) {
        #expect(F.onlyReason(Self.line(content), .vaktLine) == reason)
    }

    @Test func roundTrips() {
        let frames: [[String: String]] = [
            Self.missedFields,
            ["event": "dose_taken", "dose": "D-0800", "scheduled": "2026-11-27T08:00:00+01:00", "battery": "87"],
            ["event": "jam_cleared"],
            ["ack": ""],
            ["nak": "", "reason": "bad checksum: the line says 7E; its content gives 7F"],
            ["z": "", "a": "with spaces and !#%&'()+-./:;<>?@[]^_`{|}~", "m_1": "\"quoted\""],
        ]
        for fields in frames {
            let bytes = LineEncoder.encode(.fields(fields), format: .vaktLine)
            #expect(F.frames(F.decodeWhole(bytes, .vaktLine)) == [.fields(fields)])
        }
        #expect(LineEncoder.encode(.fields(Self.missedFields), format: .vaktLine) == F.bytes(Self.missed))
        #expect(
            LineEncoder.encode(.fields(["battery": "15", "event": "refill_low"]), format: .vaktLine)
                == F.bytes("$VAKT,event=refill_low,battery=15*3E\r\n"))
    }
}
