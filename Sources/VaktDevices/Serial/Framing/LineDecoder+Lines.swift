/// Framing for formats without a start byte (`surgard-mlr2`, `contact-id-dtmf`): a frame is
/// whatever its terminator ends, after idle noise.
extension LineDecoder {
    /// Reads one byte. An unterminated line longer than `maximumFrameBytes` slides: its
    /// oldest bytes become garbage, so a valid frame at the end of a long run of garbage is
    /// still found when its terminator arrives.
    mutating func readLine(_ byte: UInt8, into decoded: inout [DecodedFrame]) {
        if format.isTerminator(byte) {
            if !frame.isEmpty { finishLine(into: &decoded) }
            return
        }
        if frame.isEmpty, LineFormat.isNoise(byte) { return }
        if frame.count >= Self.maximumFrameBytes - 1 {
            addGarbage(frame.removeFirst())
        }
        frame.append(byte)
    }

    /// Decodes the line its terminator just ended: the whole line when it is a frame, else
    /// the shortest valid frame that ends the line (the bytes before it are garbage), else a
    /// rejection saying what is wrong with the line. The shortest, because garbage that
    /// happens to end in digits could otherwise pass as a longer receiver number
    /// (`5` + `5011 18...` read as receiver 50, line 11).
    private mutating func finishLine(into decoded: inout [DecodedFrame]) {
        let line = frame
        frame = []
        let slid = garbageCount > 0
        let whole = format.parse(line[...])
        if !slid, case .success(let message) = whole {
            decoded.append(.frame(message, raw: line))
            return
        }
        for start in line.indices.dropFirst(slid ? 0 : 1).reversed() where format.mayStartFrame(line[...], at: start) {
            guard case .success(let message) = format.parse(line[start...]) else { continue }
            for byte in line[..<start] { addGarbage(byte) }
            flushGarbage(into: &decoded)
            decoded.append(.frame(message, raw: Array(line[start...])))
            return
        }
        if slid {
            for byte in line { addGarbage(byte) }
            let count = garbageCount
            let raw = garbage
            garbage = []
            garbageCount = 0
            garbageTrailingNoise = 0
            decoded.append(
                .rejected(reason: "frame longer than \(Self.maximumFrameBytes) bytes (\(count) bytes)", raw: raw))
        } else {
            decoded.append(Self.decoded(whole, raw: line))
        }
    }
}
