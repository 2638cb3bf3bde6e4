import Foundation
import VaktRuntime

/// A hand-driven clock for runtime tests.
///
/// Time stands still until the test moves it. A test waits until the runtime is asleep on
/// the clock (`waitForSleepers`), advances it, then waits for the effect: never "advance,
/// then assert", which races with the task that should wake.
public final class ManualClock: HubClock, @unchecked Sendable {
    private struct Sleeper {
        var id: UInt64
        var deadline: Date
        /// As the system clock does: a sleep also ends once as much monotonic time has passed
        /// as the deadline was away, so a wall clock stepped back does not stretch it.
        var monotonicDeadline: Double
        /// A task asleep (`sleep(until:)`), or
        var continuation: CheckedContinuation<Void, any Error>?
        /// what to call at the deadline (`wake(at:)`).
        var action: (@Sendable () -> Void)?

        func isDue(wall: Date, monotonic: Double) -> Bool { deadline <= wall || monotonicDeadline <= monotonic }

        func fire() {
            continuation?.resume()
            action?()
        }
    }

    private let condition = NSCondition()
    private var current: Date
    private var sleepers: [Sleeper] = []
    private var nextID: UInt64 = 0
    private var monotonic: Double = 1000
    private var boot = UUID().uuidString

    public init(now: Date) { current = now }

    public func now() -> Date {
        condition.lock()
        defer { condition.unlock() }
        return current
    }

    public func sleep(until deadline: Date) async throws {
        let id = nextSleeperID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                condition.lock()
                if deadline <= current {
                    condition.unlock()
                    continuation.resume()
                } else if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(throwing: CancellationError())
                } else {
                    sleepers.append(
                        Sleeper(
                            id: id, deadline: deadline,
                            monotonicDeadline: monotonic + deadline.timeIntervalSince(current),
                            continuation: continuation))
                    condition.broadcast()
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            let index = sleepers.firstIndex { $0.id == id }
            let sleeper = index.map { sleepers.remove(at: $0) }
            condition.broadcast()
            condition.unlock()
            sleeper?.continuation?.resume(throwing: CancellationError())
        }
    }

    /// Registers the action at once, on the caller's thread, so `waitForSleeper` finds it as
    /// soon as the caller has asked; it runs on the thread that moves the clock past the
    /// deadline, or at once when the deadline has come already.
    public func wake(at deadline: Date, _ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        condition.lock()
        if deadline <= current {
            condition.unlock()
            action()
            return {}
        }
        nextID += 1
        let id = nextID
        sleepers.append(
            Sleeper(
                id: id, deadline: deadline, monotonicDeadline: monotonic + deadline.timeIntervalSince(current),
                continuation: nil, action: action))
        condition.broadcast()
        condition.unlock()
        return { [weak self] in
            guard let self else { return }
            condition.lock()
            sleepers.removeAll { $0.id == id }
            condition.broadcast()
            condition.unlock()
        }
    }

    private func nextSleeperID() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        return nextID
    }

    public func monotonicSeconds() -> Double? {
        condition.lock()
        defer { condition.unlock() }
        return monotonic
    }

    /// The same boot for the clock's whole life (each clock its own), unless a test says it
    /// rebooted.
    public func bootID() -> String? {
        condition.lock()
        defer { condition.unlock() }
        return boot
    }

    /// A reboot: a new boot id, and the monotonic clock counts from a new origin.
    public func reboot() {
        condition.lock()
        boot = UUID().uuidString
        monotonic = 1000
        condition.unlock()
    }

    /// Steps the wall clock alone, as NTP or an operator would: the monotonic clock does not
    /// move. Wakes sleepers whose deadline the new wall time has reached.
    public func stepWall(by seconds: TimeInterval) {
        move(wall: seconds, monotonic: 0)
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by seconds: TimeInterval) {
        move(wall: seconds, monotonic: seconds)
    }

    private func move(wall seconds: TimeInterval, monotonic elapsed: TimeInterval) {
        condition.lock()
        current = current.addingTimeInterval(seconds)
        monotonic += elapsed
        let due = sleepers.filter { $0.isDue(wall: current, monotonic: monotonic) }
        sleepers.removeAll { $0.isDue(wall: current, monotonic: monotonic) }
        condition.broadcast()
        condition.unlock()
        for sleeper in due { sleeper.fire() }
    }

    /// The deadlines the runtime is asleep on, earliest first.
    public var pendingDeadlines: [Date] {
        condition.lock()
        defer { condition.unlock() }
        return sleepers.map(\.deadline).sorted()
    }

    /// Blocks until someone sleeps until exactly `deadline` (or `timeout` real seconds pass,
    /// a safety net that throws).
    public func waitForSleeper(until deadline: Date, timeout: TimeInterval = 30) throws {
        let limit = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !sleepers.contains(where: { $0.deadline == deadline }) {
            if !condition.wait(until: limit) {
                throw TestSupportError("nobody slept until \(deadline); sleepers: \(sleepers.map(\.deadline))")
            }
        }
    }
}
