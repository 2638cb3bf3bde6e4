/// One Contact ID report, as a receiver passes it on: who sent it, what happened, and where.
///
/// Digit fields hold Contact ID digits as text in their canonical spelling: `0`-`9` and `B`-`F`
/// (digit ten is always `0`, never `A`, as Ademco receivers print it). Decoders normalise what
/// they read to this spelling, so a configured account compares equal whichever receiver
/// carried the message.
public struct ContactIDMessage: Sendable, Equatable {
    /// The receiver number the output names (`1` on an Ademco 685, `01` on a Sur-Gard);
    /// `nil` when the format has none (a raw DTMF line).
    public var receiver: String?
    /// The receiver's line or line card (`1`, or `100` on newer Sur-Gard receivers); `nil`
    /// when the format has none.
    public var line: String?
    /// The subscriber account, four digits (`1234`).
    public var account: String
    public var qualifier: ContactIDQualifier
    /// The three-digit event code (`101` personal emergency).
    public var code: String
    /// The group or partition, two digits (`00` when none applies).
    public var group: String
    /// The zone, or the user number when `isUser`, three digits (`001`).
    public var zone: String
    /// Whether `zone` is a user number. The Ademco 685 says so itself (`U` rather than `C`);
    /// for the other formats it is inferred from the code (see `reportsUser(code:)`).
    public var isUser: Bool

    public init(
        receiver: String? = nil, line: String? = nil, account: String, qualifier: ContactIDQualifier, code: String,
        group: String = "00", zone: String = "000", isUser: Bool = false
    ) {
        self.receiver = receiver
        self.line = line
        self.account = account
        self.qualifier = qualifier
        self.code = code
        self.group = group
        self.zone = zone
        self.isUser = isUser
    }

    /// Why the message cannot be sent as Contact ID, or `nil` when it can: each digit field
    /// must have its length and hold only canonical digits (`0`-`9`, `B`-`F`).
    public var invalidReason: String? {
        let fields = [("account", account, 4), ("event code", code, 3), ("group", group, 2), ("zone", zone, 3)]
        for (name, value, length) in fields {
            let bytes = Array(value.utf8)
            if bytes.count != length || !bytes.allSatisfy(ContactIDDigit.isCanonical) {
                return "\(name) \"\(value)\" is not \(length) Contact ID digits (0-9, B-F)"
            }
        }
        return nil
    }

    /// The digit that completes `fifteen` Contact ID digits (account, `18`, qualifier, code,
    /// group, zone) into a valid 16-digit message, or `nil` when `fifteen` is not 15 digits.
    ///
    /// SIA DC-05: every digit counts its value, except `0`, which counts 10; the sum of all 16
    /// must be a multiple of 15. The checksum digit is therefore never `0`-as-zero: when the
    /// first fifteen already sum to a multiple of 15, it is `F` (15).
    public static func checksumDigit(for fifteen: String) -> Character? {
        let bytes = Array(fifteen.utf8)
        guard bytes.count == 15, let sum = ContactIDDigit.weightSum(bytes[...]) else { return nil }
        let remainder = sum % 15
        return ContactIDDigit.character(forWeight: remainder == 0 ? 15 : 15 - remainder)
    }

    /// Whether a code's three-digit field names a user rather than a zone, for formats that
    /// do not say: openings and closings (the 4xx class) and duress (121), as the Contact ID
    /// standard assigns them.
    public static func reportsUser(code: String) -> Bool {
        code.first == "4" || code == "121"
    }
}

/// What a Contact ID report says about its event: it began, it ended, or it still holds.
public enum ContactIDQualifier: String, Sendable {
    /// `1` on the wire, printed `E`: a new event, or an opening.
    case newEvent = "new"
    /// `3` on the wire, printed `R`: a restore, or a closing.
    case restore = "restore"
    /// `6` on the wire, printed `P`: a previously reported condition still present.
    case previous = "previous"

    /// The DTMF digit: `1`, `3` or `6`.
    var digit: UInt8 {
        switch self {
        case .newEvent: UInt8(ascii: "1")
        case .restore: UInt8(ascii: "3")
        case .previous: UInt8(ascii: "6")
        }
    }

    /// The letter receivers print: `E`, `R` or `P`.
    var letter: UInt8 {
        switch self {
        case .newEvent: UInt8(ascii: "E")
        case .restore: UInt8(ascii: "R")
        case .previous: UInt8(ascii: "P")
        }
    }

    /// Reads a digit (`1`/`3`/`6`) or, when `letters` is set, a printed letter (`E`/`R`/`P`).
    init?(byte: UInt8, letters: Bool) {
        switch byte {
        case UInt8(ascii: "1"): self = .newEvent
        case UInt8(ascii: "3"): self = .restore
        case UInt8(ascii: "6"): self = .previous
        case UInt8(ascii: "E") where letters: self = .newEvent
        case UInt8(ascii: "R") where letters: self = .restore
        case UInt8(ascii: "P") where letters: self = .previous
        default: return nil
        }
    }
}
