/// Lowercase hexadecimal, two digits a byte: digests and keys in the store and the audit.
///
/// Written out by hand because `String(format: "%02x")` per byte went through Foundation's
/// format machinery and was a quarter of the hub's CPU per message (measured with perf).
public enum Hex {
    /// The sixteen digits, as UTF-8 bytes: for writers that put hex into a byte buffer.
    public static let digits = Array("0123456789abcdef".utf8)

    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        Array(bytes).withUnsafeBytes { string($0) }
    }

    /// The first `count` bytes (all when `nil`) of `bytes`, written straight into the string's
    /// storage: for a digest read in place (`withUnsafeBytes`), without iterating it as a
    /// sequence, which for swift-crypto's digests was most of the cost (measured with perf).
    public static func string(_ bytes: UnsafeRawBufferPointer, count: Int? = nil) -> String {
        let used = max(0, min(count ?? bytes.count, bytes.count))
        return String(unsafeUninitializedCapacity: used * 2) { out in
            for index in 0..<used {
                let byte = bytes[index]
                out[2 * index] = digits[Int(byte >> 4)]
                out[2 * index + 1] = digits[Int(byte & 0x0F)]
            }
            return used * 2
        }
    }
}
