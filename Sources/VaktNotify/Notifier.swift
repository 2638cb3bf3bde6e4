import VaktCore

/// One contract for every channel: webhook, SMS gateway, ntfy push, SMTP e-mail.
///
/// A notifier makes exactly one attempt per call and never retries on its own: the retry
/// stage (`RetryPolicy`, used by the dispatcher) owns backoff for every channel alike.
public protocol Notifier: Sendable {
    /// The configured channel this notifier sends through.
    var channelID: String { get }

    /// Makes one delivery attempt, and says when the peer asked to be tried again, if it did
    /// (HTTP `Retry-After`).
    ///
    /// Never throws: every failure is a `DeliveryResult`.
    /// - `.delivered` when the receiver accepted the notification;
    /// - `.failed(reason:, retryable: true)` for conditions that may pass (a timeout, a refused
    ///   connection, a DNS failure, HTTP 5xx, 429 or 408);
    /// - `.failed(reason:, retryable: false)` for those that will not (any other HTTP 4xx, a bad URL).
    ///
    /// The reason is for people and the audit log; it never contains a secret.
    func attempt(_ notification: Notification, site: SiteInfo) async -> DeliveryAttempt
}

extension Notifier {
    /// One attempt's result alone.
    public func deliver(_ notification: Notification, site: SiteInfo) async -> DeliveryResult {
        await attempt(notification, site: site).result
    }
}

/// One attempt's result, and the delay the peer asked for before the next (seconds).
public struct DeliveryAttempt: Sendable, Equatable {
    public var result: DeliveryResult
    public var retryAfter: Double?

    public init(result: DeliveryResult, retryAfter: Double?) {
        self.result = result
        self.retryAfter = retryAfter
    }

    /// A failure with no request from the peer about the next attempt.
    public static func failed(reason: String, retryable: Bool) -> DeliveryAttempt {
        DeliveryAttempt(result: .failed(reason: reason, retryable: retryable), retryAfter: nil)
    }
}
