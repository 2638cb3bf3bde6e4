import Foundation
import Testing
import VaktTesting

@testable import VaktRuntime

/// The wake-up the timer service and the dispatcher sleep on, on a hand-driven clock.
///
/// The waiters run on a thread of their own: `waitForSleeper` blocks the test's thread, and
/// other tests may block the rest of the shared pool.
@Suite(.timeLimit(.minutes(1))) struct WakeSignalTests {
    static let executor = ThreadExecutor(name: "wake-signal-tests")
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func waiter(_ wake: WakeSignal, until deadline: Date, clock: ManualClock) -> Task<Date, Never> {
        Task(executorPreference: Self.executor) {
            await wake.wait(until: deadline, clock: clock)
            return clock.now()
        }
    }

    /// A signal, or cancelling the waiting task, ends the wait before its deadline, and the
    /// deadline's sleep with it.
    @Test(arguments: [false, true]) func aSignalOrCancellationEndsTheWaitAndItsSleep(cancel: Bool) async throws {
        let clock = ManualClock(now: start)
        let wake = WakeSignal()
        let waiter = waiter(wake, until: start + 10, clock: clock)
        try clock.waitForSleeper(until: start + 10)
        if cancel { waiter.cancel() } else { wake.signal() }
        #expect(await waiter.value == start, "ended with time standing still")
        #expect(clock.pendingDeadlines.isEmpty, "the deadline's sleep ended with the wait")
    }

    @Test func aSignalWithNobodyWaitingEndsTheNextWait() async {
        let clock = ManualClock(now: start)
        let wake = WakeSignal()
        wake.signal()
        await wake.wait(until: start + 10, clock: clock)
        #expect(clock.now() == start)
    }

    @Test func aDeadlineAlreadyPastEndsTheWaitAtOnce() async {
        let clock = ManualClock(now: start)
        let wake = WakeSignal()
        // The deadline's sleep ends before the wait has begun: the wait must still end.
        for back in [0.0, 1, 60] { await wake.wait(until: start - back, clock: clock) }
        #expect(clock.now() == start)
    }

    @Test func theDeadlineEndsTheWaitAndLeavesNothingPendingForTheNext() async throws {
        let clock = ManualClock(now: start)
        let wake = WakeSignal()
        let first = waiter(wake, until: start + 10, clock: clock)
        try clock.waitForSleeper(until: start + 10)
        clock.advance(by: 10)
        #expect(await first.value == start + 10)
        let second = waiter(wake, until: start + 100, clock: clock)
        try clock.waitForSleeper(until: start + 100)
        clock.advance(by: 90)
        #expect(await second.value == start + 100, "the second wait ran to its own deadline")
    }

    @Test func aCancelledWaiterLeavesAPendingSignalForTheNext() async {
        let clock = ManualClock(now: start)
        let wake = WakeSignal()
        wake.signal()
        let cancelled = Task(executorPreference: Self.executor) {
            withUnsafeCurrentTask { $0?.cancel() }
            await wake.wait(until: start + 10, clock: clock)
        }
        await cancelled.value
        // Had the cancelled wait taken the signal, this would wait for a deadline nobody moves to.
        await wake.wait(until: start + 10, clock: clock)
        #expect(clock.now() == start)
    }

    @Test func aDeadlineComingAfterItsWaitEndedLeavesNothingPending() async throws {
        // A clock whose deadlines fire only when the test says, even after they were called
        // off: the race where a sleep ends just as a signal ends the wait.
        let clock = LateClock(now: start)
        let wake = WakeSignal()
        let first = Task(executorPreference: Self.executor) { await wake.wait(until: start + 10, clock: clock) }
        try clock.waitForDeadlines(1)
        wake.signal()
        await first.value
        clock.fireAll()  // the first wait's deadline, late
        let second = Task(executorPreference: Self.executor) { () -> Bool in
            await wake.wait(until: start + 20, clock: clock)
            return clock.fired
        }
        try clock.waitForDeadlines(2)
        #expect(!clock.fired)
        clock.fireAll()
        #expect(await second.value, "the second wait ended by its own deadline, not the first's")
    }
}

/// A clock for one race: `wake(at:)` keeps every action, and the test fires them all when it
/// wants, including those whose waits called them off.
private final class LateClock: HubClock, @unchecked Sendable {
    private let condition = NSCondition()
    private let current: Date
    private var actions: [@Sendable () -> Void] = []
    private var firedCount = 0
    private var registered = 0

    init(now: Date) { current = now }

    func now() -> Date { current }

    func sleep(until deadline: Date) async throws {
        throw CancellationError()  // not used by `WakeSignal`
    }

    func wake(at deadline: Date, _ action: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        condition.withLock {
            actions.append(action)
            registered += 1
            condition.broadcast()
        }
        return {}
    }

    /// Whether the test has fired the second deadline yet.
    var fired: Bool { condition.withLock { firedCount >= 2 } }

    func waitForDeadlines(_ count: Int) throws {
        let limit = Date().addingTimeInterval(30)
        try condition.withLock {
            while registered < count {
                if !condition.wait(until: limit) { throw TestFailure("no wait asked for deadline \(count)") }
            }
        }
    }

    func fireAll() {
        let due = condition.withLock {
            defer { actions = [] }
            firedCount += actions.count
            return actions
        }
        for action in due { action() }
    }
}

private struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
