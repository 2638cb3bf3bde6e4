import Foundation

/// Staff putting a room, or one device, in test mode (or ending it), as `vakt test start|end`
/// and dashboards send it on `vakt/<site>/commands/<staff>`:
/// `{"id": "<request id>", "action": "test-start"|"test-end", "room": "103", "minutes": 30}`,
/// or with `"device": "room103-sos"` instead of `"room"`.
public struct TestModeRequest: Sendable, Equatable {
    public var id: String
    public var staff: String
    /// The room; empty when `device` names one device instead.
    public var room: String
    /// One device rather than the whole room.
    public var device: String?
    /// How long, for a start; `nil` ends the room's test mode.
    public var seconds: Double?

    public init(id: String, staff: String, room: String, device: String? = nil, seconds: Double?) {
        self.id = id
        self.staff = staff
        self.room = room
        self.device = device
        self.seconds = seconds
    }

    /// Test mode lasts this long unless the request says otherwise.
    public static let defaultSeconds = 1800.0

    /// Parses a test-mode request; `nil` when the payload is not one (another command).
    public static func parse(_ bytes: [UInt8], staff: String) -> Result<TestModeRequest, CommandPayload.Problem>? {
        // Oversized payloads are left to the command parser, which refuses them with the limit.
        guard bytes.count <= CommandPayload.maximumBytes, let object = WireJSON.object(bytes),
            let action = object["action"] as? String,
            action == "test-start" || action == "test-end"
        else { return nil }
        guard let id = object["id"] as? String, !id.isEmpty else {
            return .failure(CommandPayload.Problem(requestID: nil, reason: "command has no string \"id\""))
        }
        let device = (object["device"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let room = object["room"] as? String ?? ""
        guard room.isEmpty != (device == nil) else {
            return .failure(
                CommandPayload.Problem(
                    requestID: id, reason: "\(action) needs a string \"room\" or a string \"device\", not both"))
        }
        guard action == "test-start" else {
            return .success(TestModeRequest(id: id, staff: staff, room: room, device: device, seconds: nil))
        }
        var seconds = defaultSeconds
        if let minutes = object["minutes"] {
            guard let number = minutes as? Double, number > 0, number.isFinite else {
                return .failure(CommandPayload.Problem(requestID: id, reason: "\"minutes\" must be a number above 0"))
            }
            seconds = number * 60
        }
        return .success(TestModeRequest(id: id, staff: staff, room: room, device: device, seconds: seconds))
    }

    /// Encodes the request for publishing.
    public func encode() -> [UInt8] {
        var object: [String: Any] = ["id": id, "action": seconds == nil ? "test-end" : "test-start"]
        if let device { object["device"] = device } else { object["room"] = room }
        if let seconds { object["minutes"] = seconds / 60 }
        return WireJSON.bytes(object)
    }
}
