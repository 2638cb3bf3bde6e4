/// The result of one attempt to deliver a notification.
///
/// Every channel answers in these three ways; one retry stage owns the backoff.
public enum DeliveryResult: Sendable, Equatable {
    case delivered
    /// Failed, and trying again may help (timeout, connection refused, HTTP 5xx or 429).
    case failed(reason: String, retryable: Bool)
}

/// A delivery attempt reported back to the engine, which audits it.
public struct DeliveryReport: Sendable, Equatable {
    public var notification: Notification
    public var attempt: Int
    public var result: DeliveryResult
    /// `true` when the dispatcher will not try again (delivered, or failed for good).
    public var final: Bool
    /// How long the attempt took, in seconds, for the audit.
    public var latency: Double?

    public init(notification: Notification, attempt: Int, result: DeliveryResult, final: Bool, latency: Double? = nil) {
        self.notification = notification
        self.attempt = attempt
        self.result = result
        self.final = final
        self.latency = latency
    }
}
