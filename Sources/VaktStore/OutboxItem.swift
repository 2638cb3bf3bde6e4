import Foundation
import VaktCore

/// A notification waiting in the outbox, with its delivery history so far.
public struct OutboxItem: Sendable, Equatable {
    public var notification: VaktCore.Notification
    /// Attempts made so far (0 for a fresh notification).
    public var attempts: Int
    /// When it is due.
    public var nextAttemptAt: Date

    public init(notification: VaktCore.Notification, attempts: Int, nextAttemptAt: Date) {
        self.notification = notification
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}
