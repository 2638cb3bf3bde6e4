import Foundation

/// A level-triggered wake-up between tasks: `signal()` wakes the one waiter, or the next
/// call to `wait` if nobody is waiting yet. Cancellation releases the waiter.
final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
    private var nextID: UInt64 = 0

    func signal() {
        let waiting: CheckedContinuation<Void, Never>? = lock.withLock {
            guard let waiter else {
                pending = true
                return nil
            }
            self.waiter = nil
            return waiter.continuation
        }
        waiting?.resume()
    }

    /// Waits for a signal (returns at once if one is pending) or for cancellation.
    func wait() async {
        let id: UInt64 = lock.withLock {
            nextID += 1
            return nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if pending {
                        // A cancelled waiter may not consume a signal meant for the next one.
                        if !Task.isCancelled { pending = false }
                        return true
                    }
                    if Task.isCancelled { return true }
                    waiter = (id, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled: CheckedContinuation<Void, Never>? = lock.withLock {
                guard let waiter, waiter.id == id else { return nil }
                self.waiter = nil
                return waiter.continuation
            }
            cancelled?.resume()
        }
    }

    /// Waits until signalled or until `deadline` on `clock`, whichever is first.
    func wait(until deadline: Date?, clock: any HubClock) async {
        guard let deadline else { return await wait() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await clock.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }
}
