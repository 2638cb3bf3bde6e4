/// One installed device: which profile decodes it, where it is, and how it reaches the hub.
public struct Device: Sendable, Equatable, Identifiable {
    public var id: String
    /// The id of a `DeviceProfile` (e.g. `zigbee2mqtt/aqara-mccgq11lm`).
    public var profile: String
    public var room: String
    public var link: Link
    /// Overrides the profile's maximum silence (seconds); `0` turns supervision off.
    public var maxSilence: Double?

    /// How the device's messages arrive.
    public enum Link: Sendable, Equatable {
        /// On an MQTT topic (`zigbee2mqtt/<friendly name>`).
        case mqtt(topic: String)
        /// On its own serial port (a dispenser speaking `vakt-line`).
        case serial(port: String)
        /// Through an alarm receiver, as Contact ID from an account, optionally one zone of it.
        case contactID(receiver: String, account: String, zone: String?)
    }

    public init(id: String, profile: String, room: String, link: Link, maxSilence: Double? = nil) {
        self.id = id
        self.profile = profile
        self.room = room
        self.link = link
        self.maxSilence = maxSilence
    }

    /// Shorthand for an MQTT device.
    public init(id: String, profile: String, room: String, topic: String, maxSilence: Double? = nil) {
        self.init(id: id, profile: profile, room: room, link: .mqtt(topic: topic), maxSilence: maxSilence)
    }

    /// The MQTT topic, for MQTT devices.
    public var topic: String? {
        if case .mqtt(let topic) = link { return topic }
        return nil
    }

    /// The receiver, for Contact ID devices.
    public var receiver: String? {
        if case .contactID(let receiver, _, _) = link { return receiver }
        return nil
    }
}

/// Something that carries other devices' messages: a zigbee2mqtt bridge or an alarm receiver.
///
/// When a bridge goes away, its devices fall silent together: the hub raises one alarm for
/// the bridge and holds back the per-device ones until it is back.
public struct Bridge: Sendable, Equatable, Identifiable {
    public var id: String
    /// Where it is installed (alarms about it name this room).
    public var room: String
    public var kind: Kind
    /// Overrides the profile's (or the ecosystem's) maximum silence, in seconds.
    public var maxSilence: Double?

    public enum Kind: Sendable, Equatable {
        /// A zigbee2mqtt instance publishing under `baseTopic` (`zigbee2mqtt`); it reports its
        /// own state on `<baseTopic>/bridge/state` and its devices on `<baseTopic>/<name>`.
        case zigbee2mqtt(baseTopic: String)
        /// An alarm receiver on a serial port, framing Contact ID as its profile says.
        case receiver(profile: String, port: String)
    }

    public init(id: String, room: String, kind: Kind, maxSilence: Double? = nil) {
        self.id = id
        self.room = room
        self.kind = kind
        self.maxSilence = maxSilence
    }

    /// The zigbee2mqtt base topic, for zigbee2mqtt bridges.
    public var baseTopic: String? {
        if case .zigbee2mqtt(let base) = kind { return base }
        return nil
    }
}
