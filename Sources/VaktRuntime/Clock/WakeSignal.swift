import Foundation

/// A level-triggered wake-up between tasks: `signal()` wakes the one waiter, or the next
/// call to `wait` if nobody is waiting yet. Cancellation releases the waiter.
final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
    /// The last wait whose deadline has passed (ids only grow).
    private var expired: UInt64 = 0
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
        await wait(id: newID())
    }

    /// Waits until signalled or until `deadline` on `clock`, whichever is first.
    ///
    /// The deadline ends only this wait: one that comes after the wait returned leaves
    /// nothing pending. Measured: waking through a task group of the two waits took three hops
    /// between threads (the woken child, the group, the cancelled sleep), about a tenth of a
    /// millisecond each on an alarm's way to the dispatcher; a signal now resumes the waiter
    /// itself.
    func wait(until deadline: Date?, clock: any HubClock) async {
        guard let deadline else { return await wait() }
        let id = newID()
        let cancelDeadline = clock.wake(at: deadline) { [self] in expire(id) }
        await wait(id: id)
        cancelDeadline()
    }

    private func newID() -> UInt64 {
        lock.withLock {
            nextID += 1
            return nextID
        }
    }

    /// Wait `id`'s deadline has passed: it ends if it is waiting, or at once if it has not begun.
    private func expire(_ id: UInt64) {
        let waiting: CheckedContinuation<Void, Never>? = lock.withLock {
            expired = max(expired, id)
            guard let waiter, waiter.id == id else { return nil }
            self.waiter = nil
            return waiter.continuation
        }
        waiting?.resume()
    }

    private func wait(id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if pending {
                        // A cancelled waiter may not consume a signal meant for the next one.
                        if !Task.isCancelled { pending = false }
                        return true
                    }
                    if Task.isCancelled || expired >= id { return true }
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
}
