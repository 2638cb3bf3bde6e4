/// What one device reported, normalised by its profile.
public struct DeviceEvent: Sendable, Equatable, Codable {
    public var kind: EventKind
    /// The configured device id.
    public var device: String
    /// A numeric reading that goes with the kind (battery percent), if any.
    public var value: Double?
    /// The raw value the device sent (e.g. `fall_alarm`), for the record.
    public var raw: String?

    public init(kind: EventKind, device: String, value: Double? = nil, raw: String? = nil) {
        self.kind = kind
        self.device = device
        self.value = value
        self.raw = raw
    }
}
