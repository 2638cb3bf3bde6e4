/// How to read one device model's messages: data, loaded from `Devices/<ecosystem>/<model>.yaml`.
///
/// Three roles share the format:
/// - MQTT devices (`json`): fields of a JSON object mapped to events (zigbee2mqtt, the dispenser
///   contract over MQTT);
/// - serial devices (`vakt-line`): the same field mapping over Vakt's line protocol;
/// - Contact ID units (`contact-id`): event codes mapped to events, reported through a receiver;
/// - receivers (`ademco-685`, `surgard-mlr2`, `contact-id-dtmf`): how an alarm receiver frames
///   Contact ID messages on its serial line. They yield messages, not events.
public struct DeviceProfile: Sendable, Equatable, Identifiable {
    /// `<ecosystem>/<file name without .yaml>`, e.g. `zigbee2mqtt/aqara-mccgq11lm`.
    public var id: String
    public var vendor: String
    public var model: String
    public var description: String
    public var format: PayloadFormat
    /// The model strings an ecosystem reports for devices this profile fits (zigbee2mqtt's
    /// `definition.model` in `bridge/devices`); `[model]` unless the profile says otherwise.
    public var modelIDs: [String]
    public var fields: [FieldMapping]
    /// Payload fields copied into every event's `detail` (a dispenser's dose id and time).
    public var details: [String]
    /// For `contact-id` profiles: what each three-digit event code means.
    public var codes: [String: ContactIDCode]
    /// For serial formats: the line settings.
    public var serial: SerialSettings?
    public var supervision: Supervision
    /// Recorded payloads and the events each must yield; the catalogue test checks them.
    public var samples: [ProfileSample]

    public init(
        id: String, vendor: String, model: String, description: String,
        format: PayloadFormat = .json, modelIDs: [String]? = nil, fields: [FieldMapping] = [],
        details: [String] = [], codes: [String: ContactIDCode] = [:], serial: SerialSettings? = nil,
        supervision: Supervision = Supervision(), samples: [ProfileSample] = []
    ) {
        self.id = id
        self.vendor = vendor
        self.model = model
        self.description = description
        self.format = format
        self.modelIDs = modelIDs ?? [model]
        self.fields = fields
        self.details = details
        self.codes = codes
        self.serial = serial
        self.supervision = supervision
        self.samples = samples
    }
}

extension DeviceProfile {
    /// Every event kind the profile can yield: its fields' values and events, its codes'
    /// events and restores.
    public var yieldableEvents: Set<EventKind> {
        var kinds = Set(fields.flatMap { Array($0.values.values) + ($0.event.map { [$0] } ?? []) })
        for code in codes.values {
            kinds.insert(code.event)
            if let restore = code.restore { kinds.insert(restore) }
        }
        return kinds
    }
}

public enum PayloadFormat: String, Sendable, Equatable, CaseIterable, Codable {
    /// A JSON object per MQTT message, as zigbee2mqtt publishes.
    case json
    /// Vakt's own serial line protocol: `$VAKT,key=value,...*HH` (docs/devices/dispenser.md).
    case vaktLine = "vakt-line"
    /// A Contact ID unit (social alarm, trygghetsalarm) reporting through a receiver.
    case contactID = "contact-id"
    /// Receiver output: Ademco 685 Contact ID.
    case ademco685 = "ademco-685"
    /// Receiver output: Sur-Gard MLR2 Contact ID, acknowledged with ACK, with heartbeats.
    case surgardMLR2 = "surgard-mlr2"
    /// Receiver output: the raw 16-digit Contact ID DTMF message with its checksum, a line each.
    case contactIDDTMF = "contact-id-dtmf"

    /// How devices of this format reach the hub.
    public var transport: Transport {
        switch self {
        case .json: .mqtt
        case .vaktLine, .ademco685, .surgardMLR2, .contactIDDTMF: .serial
        case .contactID: .receiver
        }
    }

    /// Whether the format describes a receiver (which carries other devices' messages).
    public var isReceiver: Bool { [.ademco685, .surgardMLR2, .contactIDDTMF].contains(self) }

    public enum Transport: String, Sendable, Equatable {
        case mqtt
        case serial
        /// Through a configured receiver (Contact ID).
        case receiver
    }
}

/// What one Contact ID event code means to Vakt.
public struct ContactIDCode: Sendable, Equatable {
    /// The event a new event (qualifier 1, `E`) or a previous event still present (6, `P`) yields.
    public var event: EventKind
    /// The event a restore (qualifier 3, `R`) yields; `nil` when a restore means nothing.
    public var restore: EventKind?

    public init(event: EventKind, restore: EventKind? = nil) {
        self.event = event
        self.restore = restore
    }
}

/// How long a healthy device may stay silent, and what its silence is called.
public struct Supervision: Sendable, Equatable {
    /// Seconds; `nil` when the model is not supervised (it only speaks on change).
    public var maxSilence: Double?
    /// The event raised when the limit passes: `device.silent`, or `test.missed` for units
    /// whose periodic test is what proves them alive.
    public var silentEvent: EventKind

    public init(maxSilence: Double? = nil, silentEvent: EventKind = .deviceSilent) {
        self.maxSilence = maxSilence
        self.silentEvent = silentEvent
    }
}

/// Maps one field of a JSON payload (or a `vakt-line` frame) to events.
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

/// A recorded payload and what it must decode to.
///
/// For device profiles, `events` are the event kinds in field order. For receiver profiles,
/// `payload` is the bytes on the line (YAML escapes like `\n`, `\x14`) and `messages` the
/// Contact ID messages it carries, written `AAAA 18 QXYZ GG CCC` (or `heartbeat`).
public struct ProfileSample: Sendable, Equatable {
    public var payload: String
    public var events: [EventKind]
    public var messages: [String]

    public init(payload: String, events: [EventKind] = [], messages: [String] = []) {
        self.payload = payload
        self.events = events
        self.messages = messages
    }
}
