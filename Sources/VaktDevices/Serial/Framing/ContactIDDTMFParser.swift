/// Reads one raw Contact ID message as DTMF decoders write it: `AAAA18QXYZGGCCCS`.
///
/// Sixteen digits: account, identifier (`18` or `98`), qualifier digit (`1`, `3`, `6`), event
/// code, group, zone and the SIA DC-05 checksum digit. The checksum is checked before the
/// fields, since a digit misheard on the line shows first as a bad sum. Spaces after the
/// digits are ignored, and so is an `event=` before them (Asterisk's AlarmReceiver with
/// `no_group_meta`).
enum ContactIDDTMFParser {
    static let length = 16
    private static let eventPrefix = Array("event=".utf8)

    static func parse(_ line: ArraySlice<UInt8>) -> Result<SerialFrame, FrameRejection> {
        Result { () throws(FrameRejection) in .contactID(try message(digits(of: line))) }
    }

    /// Whether the rest of a line from here could be one message: exactly 16 bytes follow.
    static func mayStart(_ rest: ArraySlice<UInt8>) -> Bool {
        digits(of: rest).count == length
    }

    /// The line without trailing noise and without an `event=` prefix.
    private static func digits(of line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var digits = line
        while let last = digits.last, LineFormat.isNoise(last) { digits.removeLast() }
        if digits.starts(with: eventPrefix) { digits.removeFirst(eventPrefix.count) }
        return digits
    }

    private static func message(_ digits: ArraySlice<UInt8>) throws(FrameRejection) -> ContactIDMessage {
        guard digits.count == length else {
            throw FrameRejection(
                "Contact ID message \(FrameText.quoted(digits)) has \(digits.count) characters, "
                    + "expected 16 (AAAA18QXYZGGCCCS)")
        }
        for (offset, byte) in digits.enumerated() where ContactIDDigit.canonical(byte) == nil {
            throw FrameRejection(
                "bad Contact ID digit \(FrameText.character(byte)) at position \(offset + 1) (digits are 0-9, B-F)")
        }
        let sum = ContactIDDigit.weightSum(digits) ?? 0
        guard sum % 15 == 0 else {
            throw FrameRejection("bad Contact ID checksum (digit sum \(sum) is not a multiple of 15)")
        }
        let start = digits.startIndex
        let account = try ContactIDFieldReader.digits(digits[start..<(start + 4)], count: 4, name: "account")
        try ContactIDFieldReader.identifier(digits[(start + 4)..<(start + 6)])
        let qualifier = try ContactIDFieldReader.qualifier(digits[start + 6], letters: false)
        let code = try ContactIDFieldReader.digits(digits[(start + 7)..<(start + 10)], count: 3, name: "event code")
        let group = try ContactIDFieldReader.digits(digits[(start + 10)..<(start + 12)], count: 2, name: "group")
        let zone = try ContactIDFieldReader.digits(digits[(start + 12)..<(start + 15)], count: 3, name: "zone")
        return ContactIDMessage(
            account: account, qualifier: qualifier, code: code, group: group, zone: zone,
            isUser: ContactIDMessage.reportsUser(code: code))
    }
}
