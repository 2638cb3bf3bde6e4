import VaktTesting

@testable import VaktDevices

/// Helpers shared by the framing tests: feeding a decoder in different ways and reading
/// what came out.
enum FramingFixtures {
    static func bytes(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    /// Feeds `bytes` to a new decoder in one call.
    static func decodeWhole(_ bytes: [UInt8], _ format: LineFormat) -> [DecodedFrame] {
        var decoder = LineDecoder(format: format)
        return decoder.feed(bytes)
    }

    /// Feeds `bytes` one byte per call.
    static func decodeByteByByte(_ bytes: [UInt8], _ format: LineFormat) -> [DecodedFrame] {
        var decoder = LineDecoder(format: format)
        return bytes.flatMap { decoder.feed([$0]) }
    }

    /// Feeds `bytes` in two calls, split before index `split`.
    static func decodeSplit(_ bytes: [UInt8], at split: Int, _ format: LineFormat) -> [DecodedFrame] {
        var decoder = LineDecoder(format: format)
        return decoder.feed(bytes[..<split]) + decoder.feed(bytes[split...])
    }

    /// Feeds `bytes` in chunks of random sizes (1 to `maximumChunk`).
    static func decodeChunked(
        _ bytes: [UInt8], _ format: LineFormat, maximumChunk: Int, using random: inout SplitMix64
    ) -> [DecodedFrame] {
        var decoder = LineDecoder(format: format)
        var decoded: [DecodedFrame] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Int.random(in: 1...maximumChunk, using: &random))
            decoded += decoder.feed(bytes[start..<end])
            start = end
        }
        return decoded
    }

    static func frames(_ decoded: [DecodedFrame]) -> [SerialFrame] {
        decoded.compactMap {
            if case .frame(let frame, _) = $0 { return frame }
            return nil
        }
    }

    static func reasons(_ decoded: [DecodedFrame]) -> [String] {
        decoded.compactMap {
            if case .rejected(let reason, _) = $0 { return reason }
            return nil
        }
    }

    /// The one rejection reason `text` yields, fed whole; `nil` unless exactly one rejection
    /// and no frame came out.
    static func onlyReason(_ text: String, _ format: LineFormat) -> String? {
        let decoded = decodeWhole(bytes(text), format)
        guard decoded.count == 1, case .rejected(let reason, _) = decoded[0] else { return nil }
        return reason
    }

    static func message(
        receiver: String? = nil, line: String? = nil, account: String = "1234",
        qualifier: ContactIDQualifier = .newEvent,
        code: String = "101", group: String = "01", zone: String = "001", isUser: Bool = false
    ) -> ContactIDMessage {
        ContactIDMessage(
            receiver: receiver, line: line, account: account, qualifier: qualifier, code: code, group: group,
            zone: zone,
            isUser: isUser)
    }

    /// `count` random bytes.
    static func randomBytes(_ count: Int, using random: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }
}
