import VaktCore

/// Picks effects of one kind out of an engine's answer, in order.
extension Array where Element == Effect {
    var savedAlarms: [Alarm] { compactMap { if case .saveAlarm(let a) = $0 { a } else { nil } } }
    var audits: [AuditEntry] { compactMap { if case .audit(let e) = $0 { e } else { nil } } }
    var auditActions: [AuditAction] { audits.map(\.action) }
    var notifications: [Notification] { compactMap { if case .enqueue(let n) = $0 { n } else { nil } } }
    var recipientIDs: [String] { notifications.map(\.recipient.id) }
    var schedules: [ScheduledTimer] { compactMap { if case .schedule(let t) = $0 { t } else { nil } } }
    var cancelledTimers: [String] { compactMap { if case .cancelTimer(let id) = $0 { id } else { nil } } }
    var replies: [CommandReply] { compactMap { if case .reply(let r) = $0 { r } else { nil } } }

    func notification(for recipient: String) -> Notification? {
        notifications.first { $0.recipient.id == recipient }
    }
}
