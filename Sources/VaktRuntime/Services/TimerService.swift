import Foundation
import Logging
import ServiceLifecycle
import VaktCore

/// Fires stored timers when they fall due: escalation steps, repeats of the last tier, the
/// end of a room's test mode.
///
/// The service sleeps until the earliest due instant in the store, or until the hub says a
/// timer was scheduled or cancelled. After a restart the first pass fires whatever fell due
/// while the hub was down.
public struct TimerService: Service {
    let hub: Hub

    public init(hub: Hub) { self.hub = hub }

    public func run() async throws {
        await hub.runPasses(
            "fire due timers", wake: hub.timerWake, pass: { [hub] in try hub.fireDueTimers() },
            next: { [hub] in (try? hub.store.readablePendingTimers().timers.first?.due) ?? nil })
    }
}
