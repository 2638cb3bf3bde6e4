import Foundation

/// One stored line of the audit log: an `AuditEntry`, numbered and chained to the one before.
///
/// Encodes (for `vakt audit export`) with snake_case keys, every key present, absent values
/// as `null`, and `at` as RFC 3339 UTC with milliseconds.
public struct AuditRecord: Sendable, Equatable, Codable {
    /// 1, 2, 3, ... with no gaps.
    public var seq: Int
    /// When it happened, truncated to the millisecond.
    public var at: Date
    public var actor: String
    public var action: String
    public var alarm: String?
    public var channel: String?
    public var recipient: String?
    public var result: String?
    public var detail: [String: String]
    /// The previous record's ``hash``; 64 zeros for the first record.
    public var prevHash: String
    /// `hex(SHA-256(prevHash as UTF-8 ++ canonicalBytes()))`, lowercase.
    public var hash: String

    /// The `prevHash` of the first record.
    public static let genesisHash = String(repeating: "0", count: 64)

    public init(
        seq: Int, at: Date, actor: String, action: String, alarm: String?, channel: String?,
        recipient: String?, result: String?, detail: [String: String], prevHash: String, hash: String
    ) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.alarm = alarm
        self.channel = channel
        self.recipient = recipient
        self.result = result
        self.detail = detail
        self.prevHash = prevHash
        self.hash = hash
    }

    enum CodingKeys: String, CodingKey {
        case seq, at, actor, action, alarm, channel, recipient, result, detail, hash
        case prevHash = "prev_hash"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seq = try container.decode(Int.self, forKey: .seq)
        let text = try container.decode(String.self, forKey: .at)
        guard let date = UTCMilliseconds.date(from: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .at, in: container, debugDescription: "not an RFC 3339 time: \(text)")
        }
        at = date
        actor = try container.decode(String.self, forKey: .actor)
        action = try container.decode(String.self, forKey: .action)
        alarm = try container.decodeIfPresent(String.self, forKey: .alarm)
        channel = try container.decodeIfPresent(String.self, forKey: .channel)
        recipient = try container.decodeIfPresent(String.self, forKey: .recipient)
        result = try container.decodeIfPresent(String.self, forKey: .result)
        detail = try container.decodeIfPresent([String: String].self, forKey: .detail) ?? [:]
        prevHash = try container.decode(String.self, forKey: .prevHash)
        hash = try container.decode(String.self, forKey: .hash)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(UTCMilliseconds.string(at), forKey: .at)
        try container.encode(actor, forKey: .actor)
        try container.encode(action, forKey: .action)
        // Absent values are written as null: an export has the same keys on every line.
        try container.encode(alarm, forKey: .alarm)
        try container.encode(channel, forKey: .channel)
        try container.encode(recipient, forKey: .recipient)
        try container.encode(result, forKey: .result)
        try container.encode(detail, forKey: .detail)
        try container.encode(prevHash, forKey: .prevHash)
        try container.encode(hash, forKey: .hash)
    }
}
