/// One installed device: which profile decodes it, where it is, and where it publishes.
public struct Device: Sendable, Equatable, Identifiable {
    public var id: String
    /// The id of a `DeviceProfile` (e.g. `zigbee2mqtt/aqara-mccgq11lm`).
    public var profile: String
    public var room: String
    /// The MQTT topic the device's state arrives on.
    public var topic: String

    public init(id: String, profile: String, room: String, topic: String) {
        self.id = id
        self.profile = profile
        self.room = room
        self.topic = topic
    }
}
