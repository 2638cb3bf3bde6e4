import Foundation

/// The runtime's one source of time, injected so tests drive it by hand.
///
/// Timers are stored as wall-clock instants (they must survive a restart, which a
/// monotonic clock does not); `sleep(until:)` waits for such an instant.
public protocol HubClock: Sendable {
    func now() -> Date
    /// Returns at or after `deadline`, or throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The real clock.
///
/// Sleeps on the monotonic clock in slices of at most a minute and re-reads the wall clock
/// between them, so a wall-clock step (NTP, a manual fix) moves a pending escalation by at
/// most one slice instead of by the size of the step.
public struct SystemClock: HubClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return }
            try await Task.sleep(for: .seconds(min(remaining, 60)))
        }
    }
}
