import Foundation

/// One line of the legal record: who did what, when, through which channel, with what result.
///
/// The engine produces entries; `VaktStore` numbers them and chains them with SHA-256.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var at: Date
    /// `staff:<id>`, `device:<id>`, `channel:<id>` or `hub`.
    public var actor: String
    public var action: AuditAction
    public var alarm: String?
    public var channel: String?
    public var recipient: String?
    public var result: String?
    /// Further facts, as strings so the canonical form is plain.
    public var detail: [String: String]

    public init(
        at: Date, actor: String, action: AuditAction, alarm: String? = nil, channel: String? = nil,
        recipient: String? = nil, result: String? = nil, detail: [String: String] = [:]
    ) {
        self.at = at
        self.actor = actor
        self.action = action
        self.alarm = alarm
        self.channel = channel
        self.recipient = recipient
        self.result = result
        self.detail = detail
    }
}

/// What an audit entry records.
public struct AuditAction: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let alarmRaised: AuditAction = "alarm.raised"
    public static let alarmJoined: AuditAction = "alarm.joined"
    public static let alarmUpgraded: AuditAction = "alarm.upgraded"
    public static let alarmEscalated: AuditAction = "alarm.escalated"
    public static let alarmAcknowledged: AuditAction = "alarm.acknowledged"
    public static let alarmOnsite: AuditAction = "alarm.onsite"
    public static let alarmResolved: AuditAction = "alarm.resolved"
    /// Staff reopened a resolved alarm: it escalates again from its first tier.
    public static let alarmReopened: AuditAction = "alarm.reopened"
    /// A rule would have raised an alarm, but a silence or the rule's hold-off held it back
    /// (`detail.reason`: `silenced`, `hold-off`).
    public static let alarmSuppressed: AuditAction = "alarm.suppressed"
    /// Staff silenced a resident or room; and its end (by staff, or run out).
    public static let silenceStarted: AuditAction = "silence.started"
    public static let silenceEnded: AuditAction = "silence.ended"
    public static let commandRejected: AuditAction = "command.rejected"
    public static let notificationQueued: AuditAction = "notification.queued"
    public static let notificationDelivered: AuditAction = "notification.delivered"
    public static let notificationRetrying: AuditAction = "notification.retrying"
    public static let notificationFailed: AuditAction = "notification.failed"
    /// A relative was not notified because of their quiet hours.
    public static let notificationWithheld: AuditAction = "notification.withheld"
    public static let hubStarted: AuditAction = "hub.started"
    public static let hubStopped: AuditAction = "hub.stopped"
    public static let testStarted: AuditAction = "test.started"
    public static let testEnded: AuditAction = "test.ended"
    /// A device or bridge stopped being heard (offline, silent) or came back.
    public static let deviceOffline: AuditAction = "device.offline"
    public static let deviceOnline: AuditAction = "device.online"
    /// The hub loaded its configuration; `detail.config_sha256` names exactly which.
    public static let configLoaded: AuditAction = "config.loaded"
    /// The wall clock moved against the monotonic clock (NTP step, an operator, a dead RTC).
    public static let clockJumped: AuditAction = "clock.jumped"
    /// Records older than the retention period were removed; `detail` anchors what remains.
    public static let auditPruned: AuditAction = "audit.pruned"
    /// A stored row the hub could not read at start (damaged, or written by a newer version)
    /// was skipped; `detail.problem` says which.
    public static let storeUnreadable: AuditAction = "store.unreadable"
    /// The store was restored from a backup.
    public static let storeRestored: AuditAction = "store.restored"
}
