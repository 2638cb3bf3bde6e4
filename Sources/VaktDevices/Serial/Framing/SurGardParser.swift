/// Reads a Sur-Gard (MLR2 and compatibles) automation message, without its DC4 terminator.
///
/// Two message types are read:
/// - Contact ID, `5RRL 18AAAAQXYZGGCCC`: protocol `5`, receiver RR, line L (one digit on an
///   MLR2, three on newer receivers, so `5RRLLL 18...` too), a space, then identifier, account,
///   qualifier, event code, group and zone with no separators. The manuals print the
///   qualifier as a letter (`E`, `R`, `P`); the digits `1`, `3`, `6` are accepted too.
/// - The supervisory heartbeat, `1011` + spaces + `@` + spaces (`1RR000` on newer receivers);
///   any run of spaces is accepted on either side of the `@`.
///
/// Anything else (SIA, 4/2, BFSK output of a multi-format receiver) is rejected as unsupported.
enum SurGardParser {
    static func parse(_ line: ArraySlice<UInt8>) -> Result<SerialFrame, FrameRejection> {
        Result { () throws(FrameRejection) in try frame(line) }
    }

    /// Whether a message may begin with `byte`: the protocol digit of Contact ID or heartbeat.
    static func mayStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "5") || byte == UInt8(ascii: "1")
    }

    private static func frame(_ line: ArraySlice<UInt8>) throws(FrameRejection) -> SerialFrame {
        switch line.first {
        case UInt8(ascii: "5"):
            return .contactID(try contactID(line.dropFirst()))
        case UInt8(ascii: "1") where isHeartbeat(line):
            return .heartbeat
        case UInt8(ascii: "1") where line.contains(UInt8(ascii: "@")):
            throw FrameRejection(
                "malformed Sur-Gard heartbeat \(FrameText.quoted(line)) (expected 1011, spaces, @, spaces)")
        case let type? where isTypeCharacter(type):
            throw FrameRejection(
                "unsupported Sur-Gard message type \(FrameText.character(type)) "
                    + "(only Contact ID, type 5, and the 1011 heartbeat are read)")
        default:
            throw FrameRejection("not a Sur-Gard message: \(FrameText.quoted(line))")
        }
    }

    /// `1`, three to five receiver digits, spaces, `@`, spaces.
    private static func isHeartbeat(_ line: ArraySlice<UInt8>) -> Bool {
        let header = line.dropFirst().prefix(while: isHex)
        guard (3...5).contains(header.count) else { return false }
        let rest = line[header.endIndex...]
        let spaces = rest.prefix(while: { $0 == UInt8(ascii: " ") })
        guard !spaces.isEmpty, rest.dropFirst(spaces.count).first == UInt8(ascii: "@") else { return false }
        return rest.dropFirst(spaces.count + 1).allSatisfy { $0 == UInt8(ascii: " ") }
    }

    /// After the `5`: `RRL`, one or more spaces, then `18AAAAQXYZGGCCC`.
    private static func contactID(_ bytes: ArraySlice<UInt8>) throws(FrameRejection) -> ContactIDMessage {
        let header = bytes.prefix(while: { $0 != UInt8(ascii: " ") })
        guard header.endIndex < bytes.endIndex else {
            throw FrameRejection("Sur-Gard Contact ID message has no space after its receiver and line")
        }
        guard (3...5).contains(header.count), header.allSatisfy(isHex) else {
            throw FrameRejection(
                "bad receiver and line \(FrameText.quoted(header)) (expected RR and L, 3 to 5 digits, like 011)")
        }
        let body = bytes[header.endIndex...].drop(while: { $0 == UInt8(ascii: " ") })
        guard body.count == 15 else {
            throw FrameRejection(
                "Sur-Gard Contact ID body \(FrameText.quoted(body)) has \(body.count) characters, "
                    + "expected 15 (18AAAAQXYZGGCCC)")
        }
        let start = body.startIndex
        try ContactIDFieldReader.identifier(body[start..<(start + 2)])
        let account = try ContactIDFieldReader.digits(body[(start + 2)..<(start + 6)], count: 4, name: "account")
        let qualifier = try ContactIDFieldReader.qualifier(body[start + 6], letters: true)
        let code = try ContactIDFieldReader.digits(body[(start + 7)..<(start + 10)], count: 3, name: "event code")
        let group = try ContactIDFieldReader.digits(body[(start + 10)..<(start + 12)], count: 2, name: "group")
        let zone = try ContactIDFieldReader.digits(body[(start + 12)...], count: 3, name: "zone")
        return ContactIDMessage(
            receiver: String(decoding: header.prefix(2), as: UTF8.self),
            line: String(decoding: header.dropFirst(2), as: UTF8.self), account: account, qualifier: qualifier,
            code: code, group: group, zone: zone, isUser: ContactIDMessage.reportsUser(code: code))
    }

    /// The characters Sur-Gard uses for message types: digits and capital letters.
    private static func isTypeCharacter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
