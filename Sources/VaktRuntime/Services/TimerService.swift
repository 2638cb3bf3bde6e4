import Foundation
import Logging
import ServiceLifecycle
import VaktCore

/// Fires stored timers when they fall due: escalation steps, repeats of the last tier.
///
/// The service sleeps until the earliest due instant in the store, or until the hub says a
/// timer was scheduled or cancelled. After a restart the first pass fires whatever fell due
/// while the hub was down.
public struct TimerService: Service {
    let hub: Hub

    public init(hub: Hub) { self.hub = hub }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try hub.fireDueTimers()
                } catch {
                    hub.logger.error("could not fire due timers: \(error); retrying in 5 s")
                    try? await hub.clock.sleep(until: hub.clock.now().addingTimeInterval(5))
                    continue
                }
                let next = (try? hub.store.readablePendingTimers().timers.first?.due) ?? nil
                await hub.timerWake.wait(until: next, clock: hub.clock)
            }
        }
    }
}
