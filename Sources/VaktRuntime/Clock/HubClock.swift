import Foundation

/// The runtime's one source of time, injected so tests drive it by hand.
///
/// Timers are stored as wall-clock instants (they must survive a restart, which a
/// monotonic clock does not); `sleep(until:)` waits for such an instant.
public protocol HubClock: Sendable {
    func now() -> Date
    /// Returns at `deadline`, or earlier when the wall clock has been stepped back (after as
    /// much time as the deadline was away); throws `CancellationError` when the task is
    /// cancelled. Callers loop and look at the clock again.
    func sleep(until deadline: Date) async throws
    /// Seconds on a clock that never steps (it counts from an arbitrary origin), to notice
    /// the wall clock stepping against it; `nil` when the clock has none.
    func monotonicSeconds() -> Double?
    /// The id of the boot `monotonicSeconds` counts from; `nil` when unknown.
    func bootID() -> String?
    /// Calls `action` once when `deadline` has come, as `sleep(until:)` judges it. The function
    /// it returns calls it off; an action already due may still run once after that, so the
    /// action must be harmless late (`WakeSignal`'s ends only the wait it was made for). For a
    /// waiter that something else may wake sooner: the waiter itself need not be a task.
    func wake(at deadline: Date, _ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void
}

extension HubClock {
    public func monotonicSeconds() -> Double? { nil }
    public func bootID() -> String? { nil }

    /// A task that sleeps until `deadline`; cancelling it cancels the action.
    public func wake(at deadline: Date, _ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        let sleeper = Task {
            do { try await sleep(until: deadline) } catch { return }
            action()
        }
        return { sleeper.cancel() }
    }
}

/// The real clock.
///
/// Sleeps in slices of at most 5 s, and returns when the wall clock reaches the deadline
/// or when as much monotonic time has passed as the deadline was away at the start, whichever
/// is first: a wall clock stepped back does not stretch a sleep (the record keeper, which
/// notices steps, keeps looking every 10 s), and one stepped forward ends it early.
///
/// Stored timers are wall-clock instants; when the wall clock steps, the hub moves them with
/// it before judging any due (`ClockStep`), so they keep their delays.
public struct SystemClock: HubClock {
    public init() {}

    /// The kernel's boot id, read once: it cannot change while the process lives.
    public func bootID() -> String? { Self.boot }

    private static let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)

    public func now() -> Date { Date() }

    /// `CLOCK_BOOTTIME`: monotonic, and it keeps counting while the box is suspended.
    public func monotonicSeconds() -> Double? {
        var spec = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &spec) == 0 else { return nil }
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public func sleep(until deadline: Date) async throws {
        let budget = deadline.timeIntervalSinceNow
        let start = monotonicSeconds()
        while true {
            // Without a monotonic clock (never on Linux), the wall clock alone.
            let spent = monotonicSeconds().flatMap { now in start.map { now - $0 } } ?? 0
            let remaining = min(deadline.timeIntervalSinceNow, budget - spent)
            if remaining <= 0 { return }
            // In steps of at most 5 s. A sleep cut short (a service woken by a signal) keeps its
            // task's memory until the step would have ended: Swift's Task.sleep leaves its timer
            // armed. With 60 s steps, a busy hub held tens of thousands of such sleeps, 12 MiB
            // after 10,000 alarms (found with heaptrack; docs/benchmarks.md).
            try await Task.sleep(for: .seconds(min(remaining, 5)))
        }
    }
}
