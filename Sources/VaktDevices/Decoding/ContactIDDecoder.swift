import VaktCore

/// Turns one Contact ID message into events, as a `contact-id` profile's code table says.
///
/// A new event (qualifier 1, `E`) and a previous event still present (6, `P`) yield the code's
/// `event`; a restore (3, `R`) yields its `restore`, or nothing when the table has none. A code
/// the table does not list yields `state.unknown`, so an unexpected report is recorded and
/// visible rather than dropped. Every event carries the account, zone, group, code and
/// qualifier in its `detail`.
public struct ContactIDDecoder: Sendable {
    public let profile: DeviceProfile

    public init(profile: DeviceProfile) {
        self.profile = profile
    }

    public func decode(_ message: ContactIDMessage, device: String) -> [DeviceEvent] {
        let detail = [
            "account": message.account, "zone": message.zone, "group": message.group, "code": message.code,
            "qualifier": message.qualifier.rawValue,
        ]
        let raw = Self.text(of: message)
        guard let entry = profile.codes[message.code.uppercased()] else {
            return [DeviceEvent(kind: .unknownState, device: device, raw: raw, detail: detail)]
        }
        let kind: EventKind? =
            switch message.qualifier {
            case .newEvent, .previous: entry.event
            case .restore: entry.restore
            }
        guard let kind else { return [] }
        return [DeviceEvent(kind: kind, device: device, raw: raw, detail: detail)]
    }

    /// The message as written in profiles and logs: `AAAA 18 QXYZ GG CCC`.
    public static func text(of message: ContactIDMessage) -> String {
        let qualifier =
            switch message.qualifier {
            case .newEvent: "1"
            case .restore: "3"
            case .previous: "6"
            }
        return "\(message.account) 18 \(qualifier)\(message.code) \(message.group) \(message.zone)"
    }

    /// Parses the profile-sample form `AAAA 18 QXYZ GG CCC` (spaces optional; four-digit
    /// accounts, as the receivers carry them).
    public static func message(from text: String) -> ContactIDMessage? {
        let digits = Array(text.filter { $0 != " " }.uppercased())
        guard digits.count == 15, digits.allSatisfy(\.isHexDigit) else { return nil }
        let accountLength = 4
        let account = String(digits[0..<accountLength])
        let rest = Array(digits[accountLength...])
        guard String(rest[0...1]) == "18" || String(rest[0...1]) == "98" else { return nil }
        let qualifier: ContactIDQualifier
        switch rest[2] {
        case "1": qualifier = .newEvent
        case "3": qualifier = .restore
        case "6": qualifier = .previous
        default: return nil
        }
        return ContactIDMessage(
            receiver: nil, line: nil, account: account, qualifier: qualifier, code: String(rest[3...5]),
            group: String(rest[6...7]), zone: String(rest[8...10]), isUser: false)
    }
}
