/// How to read one device model's messages: data, loaded from `Devices/<ecosystem>/<model>.yaml`.
public struct DeviceProfile: Sendable, Equatable, Identifiable {
    /// `<ecosystem>/<file name without .yaml>`, e.g. `zigbee2mqtt/aqara-mccgq11lm`.
    public var id: String
    public var vendor: String
    public var model: String
    public var description: String
    public var format: PayloadFormat
    public var fields: [FieldMapping]
    /// Recorded payloads and the events each must yield; the catalogue test checks them.
    public var samples: [ProfileSample]

    public init(
        id: String, vendor: String, model: String, description: String,
        format: PayloadFormat = .json, fields: [FieldMapping], samples: [ProfileSample] = []
    ) {
        self.id = id
        self.vendor = vendor
        self.model = model
        self.description = description
        self.format = format
        self.fields = fields
        self.samples = samples
    }
}

public enum PayloadFormat: String, Sendable, Equatable, Codable {
    /// A JSON object per message, as zigbee2mqtt publishes.
    case json
}

/// Maps one field of a JSON payload to events.
public struct FieldMapping: Sendable, Equatable {
    /// The top-level key in the payload object.
    public var field: String
    public var type: FieldType
    /// For `bool` and `string` fields: the event each value yields (`"true"`/`"false"` for
    /// booleans). A value not listed is recorded as `state.unknown`.
    public var values: [String: EventKind]
    /// For `number` fields: the event carrying the number as its value.
    public var event: EventKind?
    /// For `string` fields: values that mean "no news" and yield nothing (e.g. an empty
    /// `action` after a button press).
    public var ignore: [String]

    public init(
        field: String, type: FieldType, values: [String: EventKind] = [:], event: EventKind? = nil,
        ignore: [String] = []
    ) {
        self.field = field
        self.type = type
        self.values = values
        self.event = event
        self.ignore = ignore
    }
}

public enum FieldType: String, Sendable, Equatable, CaseIterable, Codable {
    case bool
    case string
    case number
}

/// A recorded payload and the event kinds it must decode to, in field order.
public struct ProfileSample: Sendable, Equatable {
    public var payload: String
    public var events: [EventKind]

    public init(payload: String, events: [EventKind]) {
        self.payload = payload
        self.events = events
    }
}
