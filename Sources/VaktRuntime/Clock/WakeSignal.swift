import Foundation

/// A level-triggered wake-up between tasks: `signal()` wakes the one waiter, or the next
/// call to `wait` if nobody is waiting yet. Cancellation releases the waiter.
final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
    private var nextID: UInt64 = 0

    func signal() {
        lock.lock()
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.continuation.resume()
        } else {
            pending = true
            lock.unlock()
        }
    }

    /// Waits for a signal (returns at once if one is pending) or for cancellation.
    func wait() async {
        lock.lock()
        nextID += 1
        let id = nextID
        lock.unlock()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.lock()
                if pending {
                    pending = false
                    lock.unlock()
                    continuation.resume()
                } else if Task.isCancelled {
                    lock.unlock()
                    continuation.resume()
                } else {
                    waiter = (id, continuation)
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            if let waiter, waiter.id == id {
                self.waiter = nil
                lock.unlock()
                waiter.continuation.resume()
            } else {
                lock.unlock()
            }
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
