import Foundation

/// The JSON a dashboard or `vakt ack|onsite|resolve` publishes on `vakt/<site>/commands/<staff>`:
/// `{"id": "<request id>", "action": "ack"|"onsite"|"resolve", "alarm": "A12",
///   "outcome": "assisted", "note": "..."}`. The staff id comes from the topic, which the
/// broker's ACL binds to the sender's login.
public enum CommandPayload {
    public struct Problem: Error, Equatable {
        public var requestID: String?
        public var reason: String
    }

    public static let maximumBytes = 16_384

    public static func parse(_ bytes: [UInt8], staff: String) -> Result<Command, Problem> {
        guard bytes.count <= maximumBytes else {
            return .failure(
                Problem(requestID: nil, reason: "command is \(bytes.count) bytes; the limit is \(maximumBytes)"))
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            return .failure(Problem(requestID: nil, reason: "command is not a JSON object"))
        }
        let id = object["id"] as? String
        func string(_ key: String) -> String? { object[key] as? String }
        guard let id, !id.isEmpty else {
            return .failure(Problem(requestID: nil, reason: "command has no string \"id\""))
        }
        guard !staff.isEmpty, !staff.contains("/") else {
            return .failure(Problem(requestID: id, reason: "command topic names no staff id"))
        }
        guard let actionText = string("action"), let action = Command.Action(rawValue: actionText) else {
            let actions = Command.Action.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(Problem(requestID: id, reason: "command \"action\" must be one of: \(actions)"))
        }
        guard let alarm = string("alarm"), !alarm.isEmpty else {
            return .failure(Problem(requestID: id, reason: "command has no string \"alarm\""))
        }
        for key in ["outcome", "note"] where object[key] != nil && !(object[key] is String) && !(object[key] is NSNull)
        {
            return .failure(Problem(requestID: id, reason: "command \"\(key)\" must be a string"))
        }
        return .success(
            Command(
                id: id, staff: staff, action: action, alarm: alarm, outcome: string("outcome"), note: string("note")))
    }

    /// Encodes a command for publishing.
    public static func encode(_ command: Command) -> [UInt8] {
        var object: [String: Any] = ["id": command.id, "action": command.action.rawValue, "alarm": command.alarm]
        if let outcome = command.outcome { object["outcome"] = outcome }
        if let note = command.note { object["note"] = note }
        return WireJSON.bytes(object)
    }
}
