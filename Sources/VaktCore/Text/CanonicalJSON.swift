/// A tiny JSON writer whose output is fixed byte for byte: for hashing (the audit chain), and
/// for what the hub publishes on every alarm change, where Foundation's writer with sorted keys
/// compared the keys through ICU collation and took a fifth of the hub's CPU (docs/benchmarks.md).
///
/// JSONEncoder's key order and escaping are not promised to be the same across platforms and
/// Foundation versions, and the audit chain must verify anywhere, for years. So the bytes are
/// written here:
/// - object keys sorted by their UTF-8 bytes (the same as sorting by Unicode code points);
/// - no whitespace anywhere;
/// - strings escape `"` and `\` with a backslash; `\b`, `\f`, `\n`, `\r`, `\t` by name; other
///   control characters below U+0020 as `\u00XX` (lowercase hex); everything else, `/` and
///   non-ASCII included, is written as its raw UTF-8 bytes, without Unicode normalisation;
/// - integers in plain decimal; `true`, `false`; `null` for absent values.
public enum CanonicalJSON {
    /// A JSON value as the audit log needs it.
    public enum Value: Sendable {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case null
        case array([Value])
        /// An object of string values (an audit record's `detail`).
        case strings([String: String])
        case object([(String, Value)])

        public static func optional(_ text: String?) -> Value { text.map(Value.string) ?? .null }
    }

    /// The canonical bytes of `value`.
    public static func bytes(_ value: Value) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, to: &out)
        return out
    }

    public static func write(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .string(let text): writeString(text, to: &out)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
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

    public static func writeString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { writeString(utf8: UnsafeRawBufferPointer($0), to: &out) }
    }

    /// ``writeString(_:to:)`` for text given as its UTF-8 bytes (a column read in place).
    public static func writeString(utf8 text: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        text.withMemoryRebound(to: UInt8.self) { bytes in
            // Runs of bytes that need no escaping are copied whole.
            var start = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                if start < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                default:
                    out.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    ])
                    out.append(Hex.digits[Int(byte >> 4)])
                    out.append(Hex.digits[Int(byte & 0x0F)])
                }
            }
            // UTF-8 continuation and lead bytes are all >= 0x80: copied as they are.
            if start < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension CanonicalJSON {
    /// Reads an object of strings as ``write(_:to:)`` writes it (no whitespace, the escapes
    /// it uses, `\uXXXX` included); `nil` for anything else, so the caller can fall back to a
    /// general JSON parser. The store reads every audit record's `detail` through this: it is
    /// much faster than `JSONDecoder`, and the store wrote the text in this form.
    public static func parseStrings(_ bytes: some Collection<UInt8>) -> [String: String]? {
        let bytes = Array(bytes)
        var index = 0
        var result: [String: String] = [:]
        func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        // The writer escapes only control characters this way.
                        guard index + 4 <= bytes.count,
                            let value = UInt8(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                        else { return nil }
                        guard bytes[index] == UInt8(ascii: "0"), bytes[index + 1] == UInt8(ascii: "0"), value < 0x20
                        else {
                            return nil
                        }
                        out.append(value)
                        index += 4
                    default: return nil
                    }
                case 0x00..<0x20:
                    return nil
                default:
                    out.append(byte)
                }
            }
            return nil
        }
        guard bytes.first == UInt8(ascii: "{") else { return nil }
        index = 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            return index + 1 == bytes.count ? result : nil
        }
        while true {
            guard let key = string(), index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let value = string(), index < bytes.count else { return nil }
            result[key] = value
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}"), index + 1 == bytes.count else { return nil }
            return result
        }
    }
}
