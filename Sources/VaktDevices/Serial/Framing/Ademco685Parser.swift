/// Reads an Ademco 685 Contact ID line: `RG AAAA 18 QXYZ GG FCCC`, between its LF and CR.
///
/// R is the receiver and G the line group, one digit each; F is `C` when CCC is a zone
/// (contact) and `U` when it is a user. The qualifier is printed as a letter (`E`, `R`, `P`);
/// the digits `1`, `3`, `6` are accepted too. Fields are separated by single spaces; runs of
/// spaces are tolerated.
enum Ademco685Parser {
    static func parse(_ body: ArraySlice<UInt8>) -> Result<SerialFrame, FrameRejection> {
        Result { () throws(FrameRejection) in .contactID(try message(body)) }
    }

    private static func message(_ body: ArraySlice<UInt8>) throws(FrameRejection) -> ContactIDMessage {
        let fields = body.split(separator: UInt8(ascii: " "))
        guard fields.count == 6 else {
            throw FrameRejection(
                "not an Ademco 685 Contact ID line: \(fields.count) fields, expected 6 (RG AAAA 18 QXYZ GG FCCC)")
        }
        let receiverLine = fields[0]
        guard receiverLine.count == 2, receiverLine.allSatisfy(isDecimal) else {
            throw FrameRejection("bad receiver and line \(FrameText.quoted(receiverLine)) (expected 2 digits, RG)")
        }
        let account = try ContactIDFieldReader.digits(fields[1], count: 4, name: "account")
        try ContactIDFieldReader.identifier(fields[2])
        let event = fields[3]
        guard event.count == 4 else {
            throw FrameRejection("bad event \(FrameText.quoted(event)) (expected a qualifier and 3 digits, like E101)")
        }
        let qualifier = try ContactIDFieldReader.qualifier(event.first, letters: true)
        let code = try ContactIDFieldReader.digits(event.dropFirst(), count: 3, name: "event code")
        let group = try ContactIDFieldReader.digits(fields[4], count: 2, name: "group")
        let zoneField = fields[5]
        let kind = zoneField.first
        guard zoneField.count == 4, kind == UInt8(ascii: "C") || kind == UInt8(ascii: "U") else {
            throw FrameRejection(
                "bad zone or user \(FrameText.quoted(zoneField)) (expected C or U and 3 digits, like C001)")
        }
        let zone = try ContactIDFieldReader.digits(zoneField.dropFirst(), count: 3, name: "zone")
        return ContactIDMessage(
            receiver: String(UnicodeScalar(receiverLine[receiverLine.startIndex])),
            line: String(UnicodeScalar(receiverLine[receiverLine.startIndex + 1])), account: account,
            qualifier: qualifier, code: code, group: group, zone: zone, isUser: kind == UInt8(ascii: "U"))
    }

    private static func isDecimal(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
