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

    @Test func theDeadlineEndsTheWait() async throws {
        let clock = ManualClock(now: start)
        let wake = WakeSignal()
        let waiter = waiter(wake, until: start + 10, clock: clock)
        try clock.waitForSleeper(until: start + 10)
        clock.advance(by: 10)
        #expect(await waiter.value == start + 10)
    }

    @Test func aSignalEndsTheWaitAndItsSleep() async throws {
        let clock = ManualClock(now: start)
        let wake = WakeSignal()
        let waiter = waiter(wake, until: start + 10, clock: clock)
        try clock.waitForSleeper(until: start + 10)
        wake.signal()
        #expect(await waiter.value == start, "woken with time standing still")
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

    @Test func aDeadlineLeavesNothingPendingForTheNextWait() async throws {
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

    @Test func cancellingTheWaiterEndsTheWait() async throws {
        let clock = ManualClock(now: start)
        let wake = WakeSignal()
        let waiter = waiter(wake, until: start + 10, clock: clock)
        try clock.waitForSleeper(until: start + 10)
        waiter.cancel()
        #expect(await waiter.value == start)
        // The cancelled wait took no signal meant for the next one.
        wake.signal()
        await wake.wait(until: start + 10, clock: clock)
        #expect(clock.now() == start)
    }
}
