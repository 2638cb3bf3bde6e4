/// What one device reported, normalised by its profile.
public struct DeviceEvent: Sendable, Equatable, Codable {
    public var kind: EventKind
    /// The configured device id.
    public var device: String
    /// A numeric reading that goes with the kind (battery percent), if any.
    public var value: Double?
    /// The raw value the device sent (e.g. `fall_alarm`), for the record.
    public var raw: String?
    /// Further facts the device sent with the event, copied into the audit: a dispenser's
    /// dose id and scheduled time, a Contact ID account and zone.
    public var detail: [String: String]

    public init(
        kind: EventKind, device: String, value: Double? = nil, raw: String? = nil, detail: [String: String] = [:]
    ) {
        self.kind = kind
        self.device = device
        self.value = value
        self.raw = raw
        self.detail = detail
    }
}
