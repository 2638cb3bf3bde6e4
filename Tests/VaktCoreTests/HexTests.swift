import Foundation
import Testing
import VaktCore

/// Hex digits as the store and the audit write them: both ways of making them agree, byte for
/// byte, with the obvious definition.
struct HexTests {
    @Test func bothFormsWriteTwoLowercaseDigitsAByte() {
        let bytes: [UInt8] = [0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80, 0xab, 0xff]
        let expected = "00010f107f80abff"
        #expect(Hex.string(bytes) == expected)
        bytes.withUnsafeBytes { raw in
            #expect(Hex.string(raw) == expected)
            #expect(Hex.string(raw, count: 3) == "00010f")
            #expect(Hex.string(raw, count: 99) == expected)
            #expect(Hex.string(raw, count: 0) == "")
        }
    }

    @Test func everyByteValue() {
        let bytes = (0...255).map { UInt8($0) }
        let expected = bytes.map { String(format: "%02x", $0) }.joined()
        #expect(Hex.string(bytes) == expected)
        bytes.withUnsafeBytes { #expect(Hex.string($0) == expected) }
    }
}
