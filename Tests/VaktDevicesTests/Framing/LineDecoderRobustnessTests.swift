import Testing
import VaktTesting

@testable import VaktDevices

private typealias F = FramingFixtures

/// Random input in every format: the decoder never traps or hangs, holds bounded memory,
/// gives the same result however the bytes are chunked, and finds the frames after garbage.
@Suite struct LineDecoderRobustnessTests {
    /// Valid frames of each format, as the encoder writes them.
    static func sampleFrames(_ format: LineFormat) -> [SerialFrame] {
        switch format {
        case .ademco685:
            [
                .contactID(F.message(receiver: "1", line: "1")),
                .contactID(F.message(receiver: "2", line: "7", qualifier: .restore, code: "401", isUser: true)),
            ]
        case .surgardMLR2:
            [.contactID(F.message(receiver: "01", line: "1", code: "121", isUser: true)), .heartbeat]
        case .contactIDDTMF:
            [.contactID(F.message(code: "131", zone: "015")), .contactID(F.message(qualifier: .restore, code: "602"))]
        case .vaktLine:
            [.fields(["event": "dose_missed", "dose": "D-0800"]), .fields(["event": "refill_low", "battery": "15"])]
        }
    }

    @Test(arguments: LineFormat.allCases)
    func randomBytesNeverCrashAndMemoryStaysBounded(format: LineFormat) {
        var random = SplitMix64(seed: 0xDEC0DE)
        var decoder = LineDecoder(format: format)
        var fed = 0
        var rejectedBytes = 0
        while fed < 200_000 {
            let chunk = F.randomBytes(Int.random(in: 1...700, using: &random), using: &random)
            for decoded in decoder.feed(chunk) {
                if case .rejected(_, let raw) = decoded {
                    #expect(raw.count <= LineDecoder.maximumFrameBytes)
                    rejectedBytes += raw.count
                }
            }
            fed += chunk.count
            #expect(decoder.bufferedByteCount <= LineDecoder.maximumFrameBytes)
            #expect(decoder.heldGarbageByteCount <= LineDecoder.maximumFrameBytes)
        }
        #expect(rejectedBytes > 0)
    }

    /// Random text-like garbage (digits, spaces, terminators, start bytes) is harder than
    /// uniform bytes: it looks like frames.
    @Test(arguments: LineFormat.allCases)
    func frameLikeGarbageNeverCrashes(format: LineFormat) {
        var random = SplitMix64(seed: 0x5EED)
        let alphabet = Array("0123456789 18EeRrPpCU@$*,=VAKT\r\n\u{14}\0".utf8)
        var decoder = LineDecoder(format: format)
        for _ in 0..<400 {
            let chunk = (0..<Int.random(in: 1...500, using: &random)).map { _ in
                alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
            }
            _ = decoder.feed(chunk)
            #expect(decoder.bufferedByteCount <= LineDecoder.maximumFrameBytes)
            #expect(decoder.heldGarbageByteCount <= LineDecoder.maximumFrameBytes)
        }
    }

    /// Valid frames with random garbage spliced between them: every frame comes out, in
    /// order, and nothing else but rejections.
    @Test(arguments: LineFormat.allCases)
    func framesAfterGarbageStillDecode(format: LineFormat) {
        var random = SplitMix64(seed: 0xF00D)
        let samples = Self.sampleFrames(format)
        var stream: [UInt8] = []
        var expected: [SerialFrame] = []
        for index in 0..<300 {
            let frame = samples[index % samples.count]
            stream += LineEncoder.encode(frame, format: format)
            expected.append(frame)
            let garbage = F.randomBytes(Int.random(in: 0...600, using: &random), using: &random)
            // A frame is complete at its terminator; garbage after it must not be able to
            // change it, only what follows.
            stream += garbage
        }
        // Terminate whatever the last garbage left open, then one more frame.
        let last = samples[0]
        stream += [0x0A, 0x0D, 0x14] + LineEncoder.encode(last, format: format)
        expected.append(last)

        let decoded = F.decodeWhole(stream, format)
        let frames = F.frames(decoded)
        // The first difference only: a whole list of 300 frames is unreadable in a failure.
        let firstDifference = zip(frames, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "frame \(firstDifference ?? 0): \(frames[firstDifference ?? 0])")
        #expect(frames.count == expected.count)
        var chunking = SplitMix64(seed: 7)
        #expect(F.decodeChunked(stream, format, maximumChunk: 97, using: &chunking) == decoded)
        #expect(F.decodeByteByByte(stream, format) == decoded)
    }

    /// However a stream of frames and garbage is cut into chunks, the output is the same.
    @Test(arguments: LineFormat.allCases)
    func chunkingNeverChangesTheOutput(format: LineFormat) {
        var random = SplitMix64(seed: 42)
        var stream: [UInt8] = []
        for frame in Self.sampleFrames(format) + Self.sampleFrames(format) {
            stream += LineEncoder.encode(frame, format: format)
            stream += F.bytes("zz\r\n \0")
        }
        let whole = F.decodeWhole(stream, format)
        #expect(F.frames(whole).count == 4)
        for maximumChunk in [1, 2, 3, 7, 16, 64] {
            #expect(F.decodeChunked(stream, format, maximumChunk: maximumChunk, using: &random) == whole)
        }
    }
}
