/// Why some bytes are not a frame: the sentence a `DecodedFrame.rejected` carries.
struct FrameRejection: Error, Equatable {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

/// Renders received bytes inside rejection reasons: printable ASCII as is, anything else as
/// `\xNN`, so a reason is always one readable line whatever arrived.
enum FrameText {
    /// `bytes` in double quotes, cut after `limit` bytes with an ellipsis.
    static func quoted(_ bytes: some Collection<UInt8>, limit: Int = 32) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            text += escaped(byte)
        }
        return "\"" + text + (bytes.count > limit ? "..." : "") + "\""
    }

    /// One byte: `'X'` when printable, `0xNN` otherwise.
    static func character(_ byte: UInt8) -> String {
        isPrintable(byte) ? "'" + String(UnicodeScalar(byte)) + "'" : "0x" + hex(byte)
    }

    static func isPrintable(_ byte: UInt8) -> Bool {
        (0x20...0x7E).contains(byte)
    }

    /// Two uppercase hex digits.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    private static func escaped(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): "\\" + String(UnicodeScalar(byte))
        case _ where isPrintable(byte): String(UnicodeScalar(byte))
        default: "\\x" + hex(byte)
        }
    }
}
