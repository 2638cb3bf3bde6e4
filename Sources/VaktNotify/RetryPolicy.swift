import Foundation
import VaktCore

/// When to try a failed delivery again, and when to give up: the one place backoff lives.
///
/// Delays grow geometrically from `initialDelay` by `multiplier` and are capped at
/// `maximumDelay` (2, 4, 8, 16, 32, 60, 60, ... seconds by default). There is no jitter: one
/// box sends to a handful of receivers, so synchronised retries are not a load problem, and
/// deterministic delays keep the escalation tests exact.
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

    /// Whether attempt `attempt` (counted from 1), which ended in `result`, is the last one:
    /// it delivered, it failed for good, or it used up the attempts.
    public func isFinal(attempt: Int, result: DeliveryResult) -> Bool {
        switch result {
        case .delivered: true
        case .failed(_, let retryable): !retryable || attempt >= max(maxAttempts, 1)
        }
    }
}
