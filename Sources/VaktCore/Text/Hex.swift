/// Lowercase hexadecimal, two digits a byte: digests and keys in the store and the audit.
///
/// Written out by hand because `String(format: "%02x")` per byte went through Foundation's
/// format machinery and was a quarter of the hub's CPU per message (measured with perf).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
