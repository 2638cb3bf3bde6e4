/// The shape of a `vakt-line` sentence, shared by its parser, its encoder and the hub's
/// acknowledgements: `$VAKT,key=value,...*HH` and CR LF.
enum VaktLineSentence {
    /// The word after `$`.
    static let talker = Array("VAKT".utf8)

    /// The XOR of every byte between `$` and `*`, as NMEA 0183 computes it.
    static func checksum(_ content: some Sequence<UInt8>) -> UInt8 {
        content.reduce(0, ^)
    }

    /// Whether `key` is a valid key: one or more of `a`-`z`, `0`-`9`, `_`.
    static func isKey(_ key: some Collection<UInt8>) -> Bool {
        !key.isEmpty
            && key.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "_")
            }
    }

    /// Whether `byte` may appear in a value: printable ASCII except `,` `*` `$` `=`.
    static func isValueByte(_ byte: UInt8) -> Bool {
        FrameText.isPrintable(byte) && !",*$=".utf8.contains(byte)
    }

    /// The sentence for `fields` in the given order, with checksum and CR LF. A field with an
    /// empty value is written as its bare key (`ack`), which reads back as the same field.
    static func sentence(_ fields: [(key: String, value: String)]) -> [UInt8] {
        var content = talker
        for (key, value) in fields {
            content.append(UInt8(ascii: ","))
            content.append(contentsOf: key.utf8)
            if !value.isEmpty {
                content.append(UInt8(ascii: "="))
                content.append(contentsOf: value.utf8)
            }
        }
        let sum = FrameText.hex(checksum(content))
        return [UInt8(ascii: "$")] + content + [UInt8(ascii: "*")] + Array(sum.utf8) + [0x0D, 0x0A]
    }
}
