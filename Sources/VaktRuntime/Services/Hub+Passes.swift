import Foundation
import ServiceLifecycle

extension Hub {
    /// The loop of a service that acts on stored deadlines (timers, device silence): run a pass,
    /// then sleep until `next()` or until `wake` (if any) is signalled, until graceful shutdown. A pass
    /// that fails (the store refused) is logged and retried after 5 s.
    func runPasses(
        _ what: String, wake: WakeSignal?, pass: @escaping @Sendable () throws -> Void,
        next: @escaping @Sendable () -> Date?
    ) async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try pass()
                } catch {
                    self.logger.error("could not \(what): \(error); retrying in 5 s")
                    try? await self.clock.sleep(until: self.clock.now().addingTimeInterval(5))
                    continue
                }
                if let wake {
                    await wake.wait(until: next(), clock: self.clock)
                } else {
                    // Nothing can wake it early: never wait unbounded, never spin.
                    try? await self.clock.sleep(until: next() ?? self.clock.now().addingTimeInterval(60))
                }
            }
        }
    }
}
