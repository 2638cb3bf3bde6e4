import Testing

@testable import VaktDevices

private typealias F = FramingFixtures

@Suite struct LineAcknowledgementTests {
    @Test func surGardAcknowledgesFramesAndHeartbeatsButNotRejections() {
        let decoded = F.decodeWhole(
            F.bytes("5011 181234E12101001\u{14}1011           @    \u{14}5011 17\u{14}"), .surgardMLR2)
        #expect(decoded.map(LineFormat.surgardMLR2.acknowledgement(for:)) == [[0x06], [0x06], nil])
    }

    @Test func ademcoAndDTMFAreNeverAcknowledged() {
        let ademco = F.decodeWhole(F.bytes("\n11 1234 18 E101 01 C001\r\nxx\n11 1\r"), .ademco685)
        #expect(ademco.count == 3)
        #expect(ademco.allSatisfy { LineFormat.ademco685.acknowledgement(for: $0) == nil })
        let dtmf = F.decodeWhole(F.bytes("1234181131010158\r\n1234181131010157\r\n"), .contactIDDTMF)
        #expect(dtmf.count == 2)
        #expect(dtmf.allSatisfy { LineFormat.contactIDDTMF.acknowledgement(for: $0) == nil })
    }

    @Test func vaktLineAcknowledgesAcceptedFrames() {
        let decoded = F.decodeWhole(F.bytes("$VAKT,event=jammed*7F\r\n"), .vaktLine)
        #expect(decoded.map(LineFormat.vaktLine.acknowledgement(for:)) == [F.bytes("$VAKT,ack*4D\r\n")])
    }

    @Test func vaktLineNaksRejectedFramesWithTheReason() throws {
        let decoded = F.decodeWhole(F.bytes("$VAKT,event=jammed*7E\r\n"), .vaktLine)
        let nak = try #require(decoded.first.flatMap(LineFormat.vaktLine.acknowledgement(for:)))
        let expected = ["nak": "", "reason": "bad checksum: the line says 7E; its content gives 7F"]
        #expect(nak == LineEncoder.encode(.fields(expected), format: .vaktLine))
        // The nak itself is a valid vakt-line frame.
        #expect(F.frames(F.decodeWhole(nak, .vaktLine)) == [.fields(expected)])
    }

    @Test func nakReasonsAreMadeSafeAndShort() {
        #expect(LineFormat.nakReason("a,b=c*d$e\u{1}f") == "a;b:c_d_e_f")
        let long = LineFormat.nakReason(String(repeating: "x", count: 500))
        #expect(long.utf8.count == LineFormat.maximumNakReasonBytes)
        let overlong = F.decodeWhole(F.bytes("$" + String(repeating: "x", count: 300) + "\n"), .vaktLine)
        let nak = overlong.first.flatMap(LineFormat.vaktLine.acknowledgement(for:)) ?? []
        #expect(
            F.frames(F.decodeWhole(nak, .vaktLine)) == [.fields(["nak": "", "reason": "frame longer than 256 bytes"])])
    }

    /// Garbage is no frame a dispenser waits on; acks and naks are never answered, so an
    /// echoing line cannot make the hub and the dispenser answer each other forever.
    @Test func garbageAndAcknowledgementsAreNotAnswered() {
        let decoded = F.decodeWhole(
            F.bytes("noise$VAKT,ack*4D\r\n$VAKT,ack*00\r\n$VAKT,nak,reason=x*00\r\n$VAKT,nak*42\r\n"), .vaktLine)
        #expect(decoded.count == 5)
        #expect(decoded.allSatisfy { LineFormat.vaktLine.acknowledgement(for: $0) == nil })
    }
}
