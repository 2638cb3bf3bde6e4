import Foundation
import Logging
import ServiceLifecycle
import VaktCore

/// Watches every supervised device and bridge for silence.
///
/// Sleeps until the next source would pass its maximum silence (at most a minute, so a
/// source heard again and then silent is never overlooked), then lets the engine raise what is
/// due. A device zigbee2mqtt would only mark offline after 25 hours is raised after its own
/// profile's limit.
public struct SupervisionService: Service {
    let hub: Hub

    public init(hub: Hub) { self.hub = hub }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try hub.handle([.supervise])
                } catch {
                    hub.logger.error("could not check device silence: \(error); retrying in 5 s")
                    try? await hub.clock.sleep(until: hub.clock.now().addingTimeInterval(5))
                    continue
                }
                let cap = hub.clock.now().addingTimeInterval(60)
                let next = hub.nextSupervisionDeadline().map { min($0, cap) } ?? cap
                await hub.supervisionWake.wait(until: next, clock: hub.clock)
            }
        }
    }
}
