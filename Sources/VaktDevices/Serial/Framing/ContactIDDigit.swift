/// Contact ID's sixteen DTMF digits as text: reading the spellings receivers use, and the
/// weights the checksum adds up.
///
/// The canonical spelling is `1`-`9`, `0` (worth ten), `B`-`F` (eleven to fifteen). Receivers
/// also print `A` for ten (Ademco converts it to `0`; so does Vakt), lowercase letters, and
/// DTMF software writes the keys `*` and `#` for eleven and twelve.
enum ContactIDDigit {
    /// The canonical byte for a digit as printed, or `nil` when `byte` is no Contact ID digit.
    static func canonical(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "B")...UInt8(ascii: "F"): byte
        case UInt8(ascii: "b")...UInt8(ascii: "f"): byte - 32
        case UInt8(ascii: "A"), UInt8(ascii: "a"): UInt8(ascii: "0")
        case UInt8(ascii: "*"): UInt8(ascii: "B")
        case UInt8(ascii: "#"): UInt8(ascii: "C")
        default: nil
        }
    }

    static func isCanonical(_ byte: UInt8) -> Bool {
        canonical(byte) == byte
    }

    /// What a digit counts in the checksum: its value, with `0` counting 10.
    static func weight(_ byte: UInt8) -> Int? {
        guard let digit = canonical(byte) else { return nil }
        switch digit {
        case UInt8(ascii: "0"): return 10
        case UInt8(ascii: "1")...UInt8(ascii: "9"): return Int(digit - UInt8(ascii: "0"))
        default: return Int(digit - UInt8(ascii: "B")) + 11
        }
    }

    /// The sum of the digits' weights, or `nil` when one is not a Contact ID digit.
    static func weightSum(_ bytes: ArraySlice<UInt8>) -> Int? {
        var sum = 0
        for byte in bytes {
            guard let weight = weight(byte) else { return nil }
            sum += weight
        }
        return sum
    }

    /// The canonical digit worth `weight` (1 to 15).
    static func character(forWeight weight: Int) -> Character {
        switch weight {
        case 1...9: Character(String(weight))
        case 11...15: Character(Unicode.Scalar(UInt8(ascii: "B") + UInt8(weight - 11)))
        default: "0"
        }
    }

    /// `bytes` as canonical text, or `nil` unless they are exactly `count` Contact ID digits.
    static func read(_ bytes: ArraySlice<UInt8>, count: Int) -> String? {
        guard bytes.count == count else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for byte in bytes {
            guard let digit = canonical(byte) else { return nil }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
