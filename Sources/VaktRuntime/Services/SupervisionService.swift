import Foundation
import Logging
import ServiceLifecycle
import VaktCore

/// Watches every supervised device and bridge for silence, and devices' proof age.
///
/// Sleeps until the next source would pass its maximum silence or proof age (at most a
/// minute, so a source heard again and then silent is never overlooked), then lets the engine
/// raise what is due. A device zigbee2mqtt would only mark offline after 25 hours is raised
/// after its own profile's limit.
public struct SupervisionService: Service {
    let hub: Hub

    public init(hub: Hub) { self.hub = hub }

    public func run() async throws {
        await hub.runPasses(
            "check device silence", wake: nil, pass: { [hub] in try hub.handle([.supervise]) },
            next: { [hub] in
                let cap = hub.clock.now().addingTimeInterval(60)
                return hub.nextSupervisionDeadline().map { min($0, cap) } ?? cap
            })
    }
}
