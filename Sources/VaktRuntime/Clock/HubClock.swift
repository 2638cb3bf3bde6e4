import Foundation

/// The runtime's one source of time, injected so tests drive it by hand.
///
/// Timers are stored as wall-clock instants (they must survive a restart, which a
/// monotonic clock does not); `sleep(until:)` waits for such an instant.
public protocol HubClock: Sendable {
    func now() -> Date
    /// Returns at or after `deadline`, or throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
    /// Seconds on a clock that never steps (it counts from an arbitrary origin), to notice
    /// the wall clock stepping against it; `nil` when the clock has none.
    func monotonicSeconds() -> Double?
}

extension HubClock {
    public func monotonicSeconds() -> Double? { nil }
}

/// The real clock.
///
/// Sleeps on the monotonic clock in slices of at most a minute and re-reads the wall clock
/// between them, so a wall-clock step (NTP, a manual fix) moves a pending escalation by at
/// most one slice instead of by the size of the step.
public struct SystemClock: HubClock {
    public init() {}

    public func now() -> Date { Date() }

    /// `CLOCK_BOOTTIME`: monotonic, and it keeps counting while the box is suspended.
    public func monotonicSeconds() -> Double? {
        var spec = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &spec) == 0 else { return nil }
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public func sleep(until deadline: Date) async throws {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return }
            try await Task.sleep(for: .seconds(min(remaining, 60)))
        }
    }
}
