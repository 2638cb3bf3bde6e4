import Foundation
import Testing
import VaktTesting

/// What dashboards learn about devices: alive or not (zigbee2mqtt's availability), battery.
@Suite(.serialized)
struct DeviceStatusTests {
    @Test func availabilityAndBatteryArePublishedForDashboards() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, hub) = running.parts
        let devices = try subscribe(broker, "vakt/marker/devices/+")
        defer { devices.stop() }

        // zigbee2mqtt's two availability formats: JSON (current) and plain text (legacy).
        try publish(broker, "zigbee2mqtt/room103/fall/availability", #"{"state":"offline"}"#)
        try devices.waitForLine(
            containing:
                #"vakt/marker/devices/room103-fall {"battery":null,"last_seen":null,"low_battery":false,"online":false}"#
        )
        try publish(broker, "zigbee2mqtt/room103/fall/availability", "online")
        try devices.waitForLine(containing: #"vakt/marker/devices/room103-fall {"battery":null,"last_seen":"#)
        try hub.waitForLine(containing: "device room103-fall is back online")

        // A battery reading at 15 % is low; it comes with an ordinary state report.
        try publish(broker, "zigbee2mqtt/room105/sos", #"{"battery":15,"linkquality":64,"voltage":2500}"#)
        let line = try devices.waitForLine(containing: "vakt/marker/devices/room105-sos")
        #expect(line.contains(#""battery":15"#))
        #expect(line.contains(#""low_battery":true"#))
        #expect(line.contains(#""online":true"#))
        try hub.waitForLine(containing: "device room105-sos battery low: 15%")

        // Nothing about devices is an alarm here, and availability is not rejected input.
        #expect(try alarms(data: site.dataPath).isEmpty)
        #expect(!hub.output.contains { $0.contains("rejected input") })
    }
}
