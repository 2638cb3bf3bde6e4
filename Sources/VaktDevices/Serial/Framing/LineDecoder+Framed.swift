/// Framing for formats whose frames begin with a start byte (`ademco-685`, `vakt-line`).
extension LineDecoder {
    /// Reads one byte. A start byte always begins a new frame: after garbage, after an
    /// over-long frame, and even inside a frame, which is then reported as cut short (the
    /// start byte cannot appear inside a valid frame of these formats).
    mutating func readFramed(_ byte: UInt8, into decoded: inout [DecodedFrame]) {
        if byte == format.startByte {
            flushGarbage(into: &decoded)
            if inFrame { reportCutShort(into: &decoded) }
            frame = [byte]
            inFrame = true
            skippingLongFrame = false
        } else if skippingLongFrame {
            if format.isTerminator(byte) { skippingLongFrame = false }
        } else if !inFrame {
            addGarbage(byte)
        } else if format.isTerminator(byte) {
            finishFrame(into: &decoded)
        } else if frame.count >= Self.maximumFrameBytes - 1 {
            // No room left for the terminator: the frame is too long whatever follows.
            decoded.append(
                .rejected(
                    reason: "frame longer than \(Self.maximumFrameBytes) bytes", raw: format.raw(frame[...])))
            frame = []
            inFrame = false
            skippingLongFrame = true
        } else {
            frame.append(byte)
        }
    }

    /// Decodes the frame its terminator just ended. An Ademco frame holding only noise
    /// (an idle LF ... CR) is no frame at all.
    private mutating func finishFrame(into decoded: inout [DecodedFrame]) {
        let complete = frame
        frame = []
        inFrame = false
        if format == .ademco685, complete.dropFirst().allSatisfy(LineFormat.isNoise) { return }
        decoded.append(Self.decoded(format.parse(complete[...]), raw: format.raw(complete[...])))
    }

    /// Reports the frame in progress as cut short by a new start byte (a device that
    /// restarted mid-frame, or a lost terminator).
    private mutating func reportCutShort(into decoded: inout [DecodedFrame]) {
        let partial = format.raw(frame[...])
        frame = []
        inFrame = false
        if format == .ademco685, partial.allSatisfy(LineFormat.isNoise) { return }
        let reason = "incomplete frame (\(partial.count) bytes): a new frame began before its terminator"
        decoded.append(.rejected(reason: reason, raw: partial))
    }
}
