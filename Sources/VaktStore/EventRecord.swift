import Foundation

/// What arrived, as the event log keeps it: one row per message, whatever became of it.
public struct EventRecord: Sendable, Equatable {
    /// Idempotency key; a second record with the same key is a redelivery and is dropped.
    public var key: String
    public var receivedAt: Date
    /// Where it came from: the MQTT topic, or a serial line.
    public var source: String
    /// The configured device id, when a device owns the source.
    public var device: String?
    /// The decoded event kinds, comma-separated, when decoding succeeded.
    public var kind: String?
    public var payload: Data
    public var status: EventStatus
    /// Why the input was rejected or ignored.
    public var reason: String?

    public init(
        key: String, receivedAt: Date, source: String, device: String?, kind: String?,
        payload: Data, status: EventStatus, reason: String?
    ) {
        self.key = key
        self.receivedAt = receivedAt
        self.source = source
        self.device = device
        self.kind = kind
        self.payload = payload
        self.status = status
        self.reason = reason
    }
}

/// What became of an input.
public enum EventStatus: String, Sendable, Equatable, CaseIterable, Codable {
    /// Decoded and handed to the engine.
    case accepted
    /// Malformed, unknown source, or a bad command: kept with its reason.
    case rejected
    /// Well-formed but of no interest (housekeeping topics).
    case ignored
}
