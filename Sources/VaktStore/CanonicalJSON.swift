/// A tiny JSON writer whose output is fixed byte for byte, for hashing.
///
/// JSONEncoder's key order and escaping are not promised to be the same across platforms and
/// Foundation versions, and the audit chain must verify anywhere, for years. So the bytes are
/// written here:
/// - object keys sorted by their UTF-8 bytes (the same as sorting by Unicode code points);
/// - no whitespace anywhere;
/// - strings escape `"` and `\` with a backslash; `\b`, `\f`, `\n`, `\r`, `\t` by name; other
///   control characters below U+0020 as `\u00XX` (lowercase hex); everything else, `/` and
///   non-ASCII included, is written as its raw UTF-8 bytes, without Unicode normalisation;
/// - integers in plain decimal; `null` for absent values.
enum CanonicalJSON {
    /// A JSON value as the audit log needs it.
    enum Value {
        case string(String)
        case integer(Int)
        case null
        /// An object of string values (an audit record's `detail`).
        case strings([String: String])
        case object([(String, Value)])

        static func optional(_ text: String?) -> Value { text.map(Value.string) ?? .null }
    }

    /// The canonical bytes of `value`.
    static func bytes(_ value: Value) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, to: &out)
        return out
    }

    static func write(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .string(let text): writeString(text, to: &out)
        case .integer(let number): out.append(contentsOf: Array(String(number).utf8))
        case .null: out.append(contentsOf: Array("null".utf8))
        case .strings(let members): writeObject(members.map { ($0.key, .string($0.value)) }, to: &out)
        case .object(let members): writeObject(members, to: &out)
        }
    }

    private static func writeObject(_ members: [(String, Value)], to out: inout [UInt8]) {
        let sorted = members.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        out.append(UInt8(ascii: "{"))
        for (index, member) in sorted.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(member.0, to: &out)
            out.append(UInt8(ascii: ":"))
            write(member.1, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default:
                // UTF-8 continuation and lead bytes are all >= 0x80: copied as they are.
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
