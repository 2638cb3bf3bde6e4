import Foundation
import VaktCore

/// The retained status the hub publishes on `vakt/<site>/devices/<id>` for each device and
/// bridge, built from its `SourceState`.
///
/// `{"online", "battery", "low_battery", "last_seen", "silent", "tampered", "rejected",
/// "proof_expired", "test_until"}`:
/// `online` is false while a device is offline or past its maximum silence, `null` until
/// anything is known.
enum DeviceStatus {
    static func json(_ state: SourceState, in zone: TimeZone) -> [UInt8] {
        let stamp = { (date: Date?) in CanonicalJSON.Value.optional(date.map { RFC3339.string(from: $0, in: zone) }) }
        return CanonicalJSON.bytes(
            .object([
                ("online", state.reportedOnline.map(CanonicalJSON.Value.bool) ?? .null),
                ("battery", state.battery.map(CanonicalJSON.Value.integer) ?? .null),
                ("low_battery", .bool(state.lowBattery)), ("tampered", .bool(state.tampered)),
                ("silent", .bool(state.silent)), ("rejected", .integer(state.rejected)),
                ("proof_expired", .bool(state.proofExpired)), ("test_until", stamp(state.testUntil)),
                ("last_seen", stamp(state.lastSeen)),
            ]))
    }

    /// Parses zigbee2mqtt's availability payload, in both formats found in the field: plain
    /// `online`/`offline` (1.x) and `{"state":"online"}` (2.x). `nil` when it is neither.
    static func availability(_ payload: [UInt8]) -> Bool? {
        let text = String(decoding: payload, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let state = WireJSON.object(payload)?["state"] as? String ?? text
        switch state {
        case "online": return true
        case "offline": return false
        default: return nil
        }
    }
}
