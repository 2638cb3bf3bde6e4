import Foundation
import VaktCore

/// What the hub last heard from one device: alive or not, and its battery.
///
/// Minimal supervision for dashboards: a message from a device means it is online;
/// zigbee2mqtt's `<topic>/availability` (`{"state":"online"}` or plain `online`) says so
/// explicitly, including `offline` when the bridge has lost the device. Timeouts for devices
/// that fall silent, and auditing of these changes, belong to the device layer's supervision.
public struct DeviceStatus: Sendable, Equatable {
    /// Battery at or below this percentage is reported as low.
    public static let lowBatteryPercent = 20

    public var online: Bool?
    public var battery: Int?
    public var lastSeen: Date?

    public var lowBattery: Bool { battery.map { $0 <= Self.lowBatteryPercent } ?? false }

    /// The retained JSON on `devices/<id>`.
    func json(in zone: TimeZone) -> [UInt8] {
        let object: [String: Any] = [
            "online": online.map { $0 as Any } ?? NSNull(), "battery": battery.map { $0 as Any } ?? NSNull(),
            "low_battery": lowBattery,
            "last_seen": lastSeen.map { RFC3339.string(from: $0, in: zone) as Any } ?? NSNull(),
        ]
        return WireJSON.bytes(object)
    }

    /// Parses zigbee2mqtt's availability payload; nil when it is neither online nor offline.
    static func availability(_ payload: [UInt8]) -> Bool? {
        let text = String(decoding: payload, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let state =
            WireJSON.object(payload)?["state"] as? String ?? text
        switch state {
        case "online": return true
        case "offline": return false
        default: return nil
        }
    }
}

extension Hub {
    /// Updates a device's status from what it reported; announces the change if it is one
    /// a person should see (online/offline, battery level).
    func noteDevice(_ device: String, online: Bool?, battery: Double?) {
        withLock {
            var status = deviceStatus[device] ?? DeviceStatus()
            let before = status
            if let online { status.online = online }
            if let battery { status.battery = Int(battery.rounded()) }
            if online == true || battery != nil { status.lastSeen = clock.now() }
            deviceStatus[device] = status
            guard status.online != before.online || status.battery != before.battery else { return }
            if before.online == true && status.online == false {
                logger.warning("device \(device) is offline (its bridge says so)")
            } else if before.online == false && status.online == true {
                logger.notice("device \(device) is back online")
            }
            if status.lowBattery && !before.lowBattery {
                logger.warning("device \(device) battery low: \(status.battery ?? 0)%")
            }
            currentPublisher?.publish(device: device, status: status)
        }
    }
}
