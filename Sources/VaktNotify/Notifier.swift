import VaktCore

/// One contract for every channel: webhook, SMS gateway, ntfy push, SMTP e-mail.
///
/// A notifier makes exactly one attempt per call and never retries on its own: the retry
/// stage (`RetryPolicy`, used by the dispatcher) owns backoff for every channel alike.
public protocol Notifier: Sendable {
    /// The configured channel this notifier sends through.
    var channelID: String { get }

    /// Makes one delivery attempt.
    ///
    /// Never throws: every failure is a `DeliveryResult`.
    /// - `.delivered` when the receiver accepted the notification;
    /// - `.failed(reason:, retryable: true)` for conditions that may pass (a timeout, a refused
    ///   connection, a DNS failure, HTTP 5xx, 429 or 408);
    /// - `.failed(reason:, retryable: false)` for those that will not (any other HTTP 4xx, a bad URL).
    ///
    /// The reason is for people and the audit log; it never contains a secret.
    func deliver(_ notification: Notification, site: SiteInfo) async -> DeliveryResult
}
