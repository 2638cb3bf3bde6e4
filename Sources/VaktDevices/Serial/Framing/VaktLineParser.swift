/// Reads one `vakt-line` frame, from its `$` to before its LF (a CR before the LF is dropped).
///
/// `$VAKT,key=value,...*HH`: HH is the XOR of the bytes between `$` and `*`, two hex digits
/// (either case). Keys are `[a-z0-9_]+` and unique; values are printable ASCII without
/// `, * $ =` and may be empty; a key without `=` has the empty value. The checksum is checked
/// before the fields, since a corrupted byte shows first as a bad sum.
enum VaktLineParser {
    static func parse(_ frame: ArraySlice<UInt8>) -> Result<SerialFrame, FrameRejection> {
        Result { () throws(FrameRejection) in .fields(try fields(frame)) }
    }

    private static func fields(_ frame: ArraySlice<UInt8>) throws(FrameRejection) -> [String: String] {
        var line = frame.dropFirst()
        if line.last == 0x0D { line.removeLast() }
        guard let star = line.firstIndex(of: UInt8(ascii: "*")) else {
            throw FrameRejection("missing checksum: no '*' before the end of the line")
        }
        let content = line[..<star]
        let given = line[(star + 1)...]
        guard given.count == 2, let high = hexValue(given.first), let low = hexValue(given.last) else {
            throw FrameRejection("bad checksum field \(FrameText.quoted(given)) (expected 2 hex digits after '*')")
        }
        let stated = high << 4 | low
        let computed = VaktLineSentence.checksum(content)
        guard stated == computed else {
            throw FrameRejection(
                "bad checksum: the line says \(FrameText.hex(stated)), its content gives \(FrameText.hex(computed))")
        }
        let parts = content.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard let talker = parts.first, talker.elementsEqual(VaktLineSentence.talker) else {
            throw FrameRejection(
                "not a $VAKT sentence: it begins \(FrameText.quoted([UInt8(ascii: "$")] + Array(parts.first ?? [])))")
        }
        guard parts.count > 1 else { throw FrameRejection("$VAKT sentence has no fields") }
        var fields: [String: String] = [:]
        for (index, part) in parts.dropFirst().enumerated() {
            let (key, value) = try field(part, number: index + 1)
            guard fields[key] == nil else { throw FrameRejection("duplicate key \"\(key)\"") }
            fields[key] = value
        }
        return fields
    }

    /// One `key=value` or bare `key`; `number` counts fields from 1 for the reason.
    private static func field(_ part: ArraySlice<UInt8>, number: Int) throws(FrameRejection) -> (String, String) {
        let equals = part.firstIndex(of: UInt8(ascii: "=")) ?? part.endIndex
        let key = part[..<equals]
        let value = part[equals...].dropFirst()
        guard !part.isEmpty else { throw FrameRejection("field \(number) is empty") }
        guard VaktLineSentence.isKey(key) else {
            throw FrameRejection("bad key \(FrameText.quoted(key)) in field \(number) (keys are a-z, 0-9 and _)")
        }
        let keyText = String(decoding: key, as: UTF8.self)
        if let bad = value.first(where: { !VaktLineSentence.isValueByte($0) }) {
            throw FrameRejection(
                "bad character \(FrameText.character(bad)) in the value of \"\(keyText)\" "
                    + "(values are printable ASCII without , * $ =)")
        }
        return (keyText, String(decoding: value, as: UTF8.self))
    }

    private static func hexValue(_ byte: UInt8?) -> UInt8? {
        switch byte {
        case let digit? where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit): digit - UInt8(ascii: "0")
        case let upper? where (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(upper): upper - UInt8(ascii: "A") + 10
        case let lower? where (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(lower): lower - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
