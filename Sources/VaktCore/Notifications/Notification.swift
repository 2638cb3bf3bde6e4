/// A message for one person through one channel, queued in the outbox.
public struct Notification: Sendable, Equatable, Codable {
    /// Idempotency key: the same alarm, tier, round, recipient and channel always give the
    /// same key, so a resend after a crash is recognisable at the receiver.
    public var key: String
    public var alarm: String
    public var tier: Int
    public var round: Int
    public var channel: String
    public var recipient: Recipient
    public var severity: Severity
    public var alarmKind: String
    public var room: String
    public var title: String
    public var body: String

    public init(
        key: String, alarm: String, tier: Int, round: Int, channel: String, recipient: Recipient,
        severity: Severity, alarmKind: String, room: String, title: String, body: String
    ) {
        self.key = key
        self.alarm = alarm
        self.tier = tier
        self.round = round
        self.channel = channel
        self.recipient = recipient
        self.severity = severity
        self.alarmKind = alarmKind
        self.room = room
        self.title = title
        self.body = body
    }
}

/// Who a notification is for.
public struct Recipient: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        case staff
        case nextOfKin = "next-of-kin"
        /// An external response centre (alarmsentral).
        case external
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var address: String?

    public init(id: String, name: String, kind: Kind, address: String?) {
        self.id = id
        self.name = name
        self.kind = kind
        self.address = address
    }
}
