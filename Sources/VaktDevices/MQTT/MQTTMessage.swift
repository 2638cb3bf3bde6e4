/// One message received from the broker, copied out of libmosquitto's buffers.
public struct MQTTMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    /// Set when the broker replays a retained message on subscribe.
    public var retain: Bool
    /// The MQTT packet id (0 for QoS 0). Per session and wrapping at 65,535: not a key.
    public var mid: Int

    public init(topic: String, payload: [UInt8], qos: Int, retain: Bool, mid: Int) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.mid = mid
    }
}
