/// Writes frames as the devices themselves send them: for simulators, tests and samples.
///
/// The output decodes back to the same frame with a `LineDecoder` of the same format. A frame
/// the format cannot carry encodes to an **empty array**, never a trap, so a simulator fed
/// bad data sends nothing rather than a line the hub would reject:
/// - a heartbeat in any format but `surgard-mlr2`, `.fields` in a Contact ID format, and a
///   Contact ID message in `vakt-line`;
/// - a Contact ID message with an `invalidReason`, or with a receiver or line that does not
///   fit the format (`ademco-685`: one digit each; `surgard-mlr2`: two hex digits, and one to
///   three);
/// - fields that break the `vakt-line` rules (no fields, a bad key or value byte), or a line
///   longer than `LineDecoder.maximumFrameBytes`.
///
/// Formats that do not carry `isUser` (all but `ademco-685`) leave it to the decoder, which
/// infers it from the code (`ContactIDMessage.reportsUser(code:)`).
public enum LineEncoder {
    public static func encode(_ frame: SerialFrame, format: LineFormat) -> [UInt8] {
        switch (frame, format) {
        case (.contactID(let message), .ademco685): ademco685(message)
        case (.contactID(let message), .surgardMLR2): surGard(message)
        case (.contactID(let message), .contactIDDTMF): dtmf(message)
        case (.heartbeat, .surgardMLR2): Array("1011           @    ".utf8) + [0x14]
        case (.fields(let fields), .vaktLine): vaktLine(fields)
        default: []
        }
    }

    /// `<LF>RG AAAA 18 QXYZ GG FCCC<CR>`; receiver and line default to `1`.
    private static func ademco685(_ message: ContactIDMessage) -> [UInt8] {
        let receiver = message.receiver ?? "1"
        let line = message.line ?? "1"
        guard message.invalidReason == nil, isDigits(receiver, count: 1...1), isDigits(line, count: 1...1) else {
            return []
        }
        let text =
            "\n\(receiver)\(line) \(message.account) 18 \(letter(message.qualifier))\(message.code) "
            + "\(message.group) \(message.isUser ? "U" : "C")\(message.zone)\r"
        return Array(text.utf8)
    }

    /// `5RRL 18AAAAQXYZGGCCC<DC4>`, the qualifier as the letter the manuals show; receiver and
    /// line default to `01` and `1`.
    private static func surGard(_ message: ContactIDMessage) -> [UInt8] {
        let receiver = message.receiver ?? "01"
        let line = message.line ?? "1"
        guard message.invalidReason == nil, isDigits(receiver, count: 2...2, hex: true),
            isDigits(line, count: 1...3, hex: true)
        else {
            return []
        }
        let text =
            "5\(receiver)\(line) 18\(message.account)\(letter(message.qualifier))\(message.code)"
            + "\(message.group)\(message.zone)"
        return Array(text.utf8) + [0x14]
    }

    /// `AAAA18QXYZGGCCCS` and CR LF, with the checksum digit computed.
    private static func dtmf(_ message: ContactIDMessage) -> [UInt8] {
        guard message.invalidReason == nil else { return [] }
        let digit = String(UnicodeScalar(message.qualifier.digit))
        let fifteen = "\(message.account)18\(digit)\(message.code)\(message.group)\(message.zone)"
        guard let checksum = ContactIDMessage.checksumDigit(for: fifteen) else { return [] }
        return Array("\(fifteen)\(checksum)\r\n".utf8)
    }

    /// `$VAKT,...*HH` and CR LF: `event` first when present, then the other keys sorted.
    private static func vaktLine(_ fields: [String: String]) -> [UInt8] {
        let valid = fields.allSatisfy {
            VaktLineSentence.isKey($0.key.utf8) && $0.value.utf8.allSatisfy(VaktLineSentence.isValueByte)
        }
        guard valid, !fields.isEmpty else { return [] }
        let ordered = fields.sorted { lhs, rhs in
            lhs.key == "event" || (rhs.key != "event" && lhs.key < rhs.key)
        }
        let sentence = VaktLineSentence.sentence(ordered.map { (key: $0.key, value: $0.value) })
        return sentence.count <= LineDecoder.maximumFrameBytes ? sentence : []
    }

    private static func letter(_ qualifier: ContactIDQualifier) -> String {
        String(UnicodeScalar(qualifier.letter))
    }

    /// Whether `text` is `count` decimal digits, or with `hex` upper-case hex digits (Sur-Gard
    /// receivers are numbered up to FE).
    private static func isDigits(_ text: String, count: ClosedRange<Int>, hex: Bool = false) -> Bool {
        count.contains(text.utf8.count)
            && text.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (hex && (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0))
            }
    }
}
