import Foundation
import Logging
import VaktCore
import VaktDevices

/// Sends one staff command through the broker and waits for the hub's reply, as the
/// dashboard does. Used by `vakt ack|onsite|resolve|reopen`, `vakt test` and `vakt silence`.
public final class CommandClient: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        /// The broker could not be reached.
        case unreachable(String)
        /// The broker took the command but no reply came in time: the hub may be down.
        case noReply(seconds: Double)

        public var description: String {
            switch self {
            case .unreachable(let detail): "cannot reach the broker: \(detail)"
            case .noReply(let seconds):
                "no reply from the hub within \(Int(seconds)) s; is `vakt run` running? The broker keeps the command, so the hub applies it when it comes back"
            }
        }
    }

    private let client: MQTTClient
    private let address: BrokerAddress
    private let condition = NSCondition()
    private var replies: [String: [String: Any]] = [:]

    public init(
        address: BrokerAddress, clientID: String, username: String? = nil, password: String? = nil,
        caFile: String? = nil, logger: Logger
    ) throws {
        self.address = address
        client = try MQTTClient(
            options: MQTTClientOptions(
                clientID: clientID, cleanSession: true, username: username, password: password, tlsCAFile: caFile),
            logger: logger)
    }

    /// Publishes `command` on `vakt/<site>/commands/<staff>` and returns the hub's reply.
    public func send(_ command: Command, site: String, timeout: Double = 15) throws -> CommandReplyMessage {
        try send(
            CommandPayload.encode(command), id: command.id, staff: command.staff, site: site, timeout: timeout)
    }

    /// Publishes a test-mode request and returns the hub's reply.
    public func send(_ request: TestModeRequest, site: String, timeout: Double = 15) throws -> CommandReplyMessage {
        try send(request.encode(), id: request.id, staff: request.staff, site: site, timeout: timeout)
    }

    /// Publishes a silence request and returns the hub's reply.
    public func send(_ request: SilenceRequest, site: String, timeout: Double = 15) throws -> CommandReplyMessage {
        try send(request.encode(), id: request.id, staff: request.staff, site: site, timeout: timeout)
    }

    /// Publishes `payload` as `staff` and waits for the reply carrying request `id`.
    private func send(_ payload: [UInt8], id requestID: String, staff: String, site: String, timeout: Double) throws
        -> CommandReplyMessage
    {
        client.onMessage = { [weak self] message in
            guard let self,
                let object = (try? JSONSerialization.jsonObject(with: Data(message.payload))) as? [String: Any],
                let id = object["id"] as? String
            else { return }
            self.condition.lock()
            self.replies[id] = object
            self.condition.broadcast()
            self.condition.unlock()
        }
        do {
            try client.connect(to: address)
        } catch {
            throw Failure.unreachable("\(address.description): \(error)")
        }
        defer { client.disconnect() }
        guard client.waitUntilConnected(timeout: .seconds(5)) else {
            throw Failure.unreachable("\(address.description): no connection within 5 s")
        }
        try client.subscribe("vakt/\(site)/replies/\(staff)", qos: 1)
        try client.publish("vakt/\(site)/commands/\(staff)", payload: payload, qos: 1, retain: false)

        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while replies[requestID] == nil {
            if !condition.wait(until: deadline) { throw Failure.noReply(seconds: timeout) }
        }
        let object = replies[requestID] ?? [:]
        return CommandReplyMessage(
            ok: object["ok"] as? Bool ?? false, message: object["message"] as? String ?? "",
            alarm: object["alarm"] as? [String: Any])
    }
}

/// The hub's reply as the sender sees it.
public struct CommandReplyMessage: @unchecked Sendable {
    public var ok: Bool
    public var message: String
    public var alarm: [String: Any]?
}
