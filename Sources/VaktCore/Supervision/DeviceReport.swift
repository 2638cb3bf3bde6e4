/// One message from a device or bridge, decoded: the unit of supervision.
///
/// Hearing anything at all from a source proves it alive, even a message that yields no
/// event (a presence radar's periodic update, a receiver's heartbeat).
public struct DeviceReport: Sendable, Equatable {
    /// A device id or a bridge id.
    public var source: String
    public var events: [DeviceEvent]
    /// A digest of the message, kept to recognise it when it is replayed as retained state.
    public var digest: String?
    /// The message is retained state the broker replayed on (re)subscribe, not something the
    /// device just said: it proves nothing about the device being alive now.
    public var retained: Bool
    /// Retained state that differs from the last one the hub stored: a change that happened
    /// while the hub was not listening. Its events are marked `reconciled` in the audit.
    public var reconciled: Bool

    public init(
        source: String, events: [DeviceEvent], digest: String? = nil, retained: Bool = false, reconciled: Bool = false
    ) {
        self.source = source
        self.events = events
        self.digest = digest
        self.retained = retained || reconciled
        self.reconciled = reconciled
    }
}
