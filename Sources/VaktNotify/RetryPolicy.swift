import Foundation
import VaktCore

/// When to try a failed delivery again, and when to give up: the one place backoff lives.
///
/// Delays grow geometrically from `initialDelay` by `multiplier` and are capped at
/// `maximumDelay` (2, 4, 8, 16, 32, 60, 60, ... seconds by default). The dispatcher spreads
/// each by ±20 % (jitter), so notifications that failed together (a gateway's outage) are
/// not all retried in the same second, and honours a peer's `Retry-After` up to
/// `maximumRetryAfter`.
public struct RetryPolicy: Sendable, Equatable {
    /// Seconds before the second attempt.
    public var initialDelay: Double
    /// Factor by which each further delay grows.
    public var multiplier: Double
    /// The longest delay between two attempts, in seconds.
    public var maximumDelay: Double
    /// Attempts in all, the first included; a value below 1 counts as 1.
    public var maxAttempts: Int

    public init(initialDelay: Double = 2, multiplier: Double = 2, maximumDelay: Double = 60, maxAttempts: Int) {
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maximumDelay = maximumDelay
        self.maxAttempts = maxAttempts
    }

    /// The policy for a channel, with its configured number of attempts.
    public init(channel: Channel) {
        self.init(maxAttempts: channel.maxAttempts)
    }

    /// Seconds to wait after attempt `n` (counted from 1) failed before attempt `n + 1`.
    public func delay(afterAttempt n: Int) -> Double {
        let exponent = Double(max(n, 1) - 1)
        let delay = initialDelay * pow(multiplier, exponent)
        return min(max(delay, 0), maximumDelay)
    }

    /// The longest `Retry-After` honoured, in seconds: a peer cannot hold an alarm's
    /// notification back for longer.
    public static let maximumRetryAfter: Double = 60

    /// The delay after attempt `n`, spread by `jitter` (a number in `0..<1`: 0.8× to 1.2×), or
    /// the peer's `Retry-After` when it asked for longer (at most `maximumRetryAfter`).
    public func delay(afterAttempt n: Int, jitter: Double, retryAfter: Double?) -> Double {
        let spread = delay(afterAttempt: n) * (0.8 + 0.4 * min(max(jitter, 0), 1))
        guard let retryAfter, retryAfter > spread else { return spread }
        return min(retryAfter, Self.maximumRetryAfter)
    }

    /// Whether attempt `attempt` (counted from 1), which ended in `result`, is the last one:
    /// it delivered, it failed for good, or it used up the attempts.
    public func isFinal(attempt: Int, result: DeliveryResult) -> Bool {
        switch result {
        case .delivered: true
        case .failed(_, let retryable): !retryable || attempt >= max(maxAttempts, 1)
        }
    }
}
