import Foundation

/// `{"id": "...", "action": "timeline", "alarm": "A12"}` on `commands/<staff>`: a read-only
/// request for one alarm's audit records, answered on `replies/<staff>` with a `timeline`
/// array. Dashboards send it; the hub answers it without touching the engine.
public struct TimelineQuery: Sendable, Equatable {
    public var id: String
    public var alarm: String

    public init(id: String, alarm: String) {
        self.id = id
        self.alarm = alarm
    }

    /// The query in `bytes`, or nil when they are not a timeline query (a command, say).
    public static func parse(_ bytes: [UInt8]) -> TimelineQuery? {
        guard bytes.count <= CommandPayload.maximumBytes, let object = WireJSON.object(bytes),
            object["action"] as? String == "timeline", let id = object["id"] as? String, !id.isEmpty,
            let alarm = object["alarm"] as? String, !alarm.isEmpty
        else { return nil }
        return TimelineQuery(id: id, alarm: alarm)
    }

    /// The query for publishing.
    public func encode() -> [UInt8] {
        WireJSON.bytes(["id": id, "action": "timeline", "alarm": alarm])
    }
}
