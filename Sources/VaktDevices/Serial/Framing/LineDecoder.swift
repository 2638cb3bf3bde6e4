/// Cuts a serial byte stream into frames of one `LineFormat`, however the bytes arrive.
///
/// Feed it bytes as the port delivers them, in chunks of any size: each complete frame comes
/// out exactly once, whether it arrived whole, a byte at a time, split anywhere, or with
/// others in one chunk. What is not a frame comes out as `.rejected` with a reason, and the
/// decoder carries on with the next frame:
/// - Idle noise between frames (CR, LF, NUL, spaces, tabs) is skipped silently.
/// - Other bytes between frames are garbage, reported once per run, just before the frame
///   that ends the run ("garbage before frame (12 bytes)"). Formats with a start byte
///   (`ademco-685`'s LF, `vakt-line`'s `$`) resynchronise on it. Formats without one
///   (`surgard-mlr2`, `contact-id-dtmf`) end every run at their terminator: a line that holds
///   a valid frame at its end yields the garbage before it and the frame; any other line is
///   rejected with what is wrong with it.
/// - A frame that is malformed (wrong field count, bad digit, qualifier, identifier or
///   checksum) is rejected with a reason naming the fault.
/// - A frame longer than `maximumFrameBytes` is rejected and skipped.
///
/// Memory is bounded whatever arrives: the decoder holds at most `maximumFrameBytes` of the
/// current frame and of the current garbage run. It never throws or traps on input.
public struct LineDecoder: Sendable {
    /// The longest frame accepted, terminator included; also the most bytes a rejection keeps.
    public static let maximumFrameBytes = 256

    public let format: LineFormat
    /// The frame being read: from its start byte, or from the first byte after idle noise.
    var frame: [UInt8] = []
    /// Whether a start-byte format is inside a frame (`frame` holds its start byte).
    var inFrame = false
    /// Whether a start-byte format is skipping the rest of an over-long frame.
    var skippingLongFrame = false
    /// The first bytes of the current garbage run, kept for the rejection's `raw`.
    var garbage: [UInt8] = []
    /// The length of the current garbage run.
    var garbageCount = 0
    /// How many noise bytes end the current garbage run (not counted when it is reported).
    var garbageTrailingNoise = 0

    public init(format: LineFormat) {
        self.format = format
    }

    /// Reads `bytes` and returns the frames and rejections they complete, in stream order.
    /// Bytes of a frame not yet complete are kept for the next call.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [DecodedFrame] {
        var decoded: [DecodedFrame] = []
        if format.startByte != nil {
            for byte in bytes { readFramed(byte, into: &decoded) }
        } else {
            for byte in bytes { readLine(byte, into: &decoded) }
        }
        return decoded
    }

    /// How many bytes of an unfinished frame are held (never more than `maximumFrameBytes`).
    var bufferedByteCount: Int { frame.count }

    /// How many bytes of the current garbage run are held (never more than `maximumFrameBytes`).
    var heldGarbageByteCount: Int { garbage.count }

    /// Adds a byte to the current garbage run, keeping only the run's first `maximumFrameBytes`.
    /// Noise before a run is dropped; noise at its end is held back from the count until more
    /// garbage follows, so a run reads from its first to its last significant byte.
    mutating func addGarbage(_ byte: UInt8) {
        if LineFormat.isNoise(byte) {
            guard garbageCount > 0 else { return }
            garbageTrailingNoise += 1
        } else {
            garbageTrailingNoise = 0
        }
        garbageCount += 1
        if garbage.count < Self.maximumFrameBytes { garbage.append(byte) }
    }

    /// Ends the current garbage run, reporting it when it held anything but noise.
    mutating func flushGarbage(into decoded: inout [DecodedFrame]) {
        guard garbageCount > 0 else { return }
        let count = garbageCount - garbageTrailingNoise
        let end = garbage.lastIndex(where: { !LineFormat.isNoise($0) }).map { $0 + 1 } ?? 0
        let raw = Array(garbage[..<end])
        decoded.append(.rejected(reason: "garbage before frame (\(count) bytes)", raw: raw))
        garbage = []
        garbageCount = 0
        garbageTrailingNoise = 0
    }

    /// Reports a complete frame or why it is not one.
    static func decoded(_ result: Result<SerialFrame, FrameRejection>, raw: [UInt8]) -> DecodedFrame {
        switch result {
        case .success(let frame): .frame(frame, raw: raw)
        case .failure(let rejection): .rejected(reason: rejection.reason, raw: raw)
        }
    }
}
