/// How an `MQTTClient` connects: identity, session, last will, credentials, backoff.
public struct MQTTClientOptions: Sendable {
    public var clientID: String
    /// Off by default: the broker keeps the session (subscriptions and QoS 1 messages sent
    /// while the client is away) across disconnects.
    public var cleanSession: Bool
    /// Seconds between keep-alive pings.
    public var keepAlive: Int
    /// What the broker publishes if the client vanishes without a DISCONNECT.
    public var will: MQTTWill?
    public var username: String?
    /// Never logged nor put in an error message.
    public var password: String?
    public var reconnectDelay: MQTTReconnectDelay
    /// A CA bundle for `mqtts`; the system's trust store when nil.
    public var tlsCAFile: String?

    public init(
        clientID: String, cleanSession: Bool = false, keepAlive: Int = 30, will: MQTTWill? = nil,
        username: String? = nil, password: String? = nil, reconnectDelay: MQTTReconnectDelay = .standard,
        tlsCAFile: String? = nil
    ) {
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAlive = keepAlive
        self.will = will
        self.username = username
        self.password = password
        self.reconnectDelay = reconnectDelay
        self.tlsCAFile = tlsCAFile
    }
}

/// A last-will message.
public struct MQTTWill: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = true) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}

/// How long libmosquitto waits between reconnection attempts, in whole seconds.
///
/// With `exponential`, libmosquitto grows the delay with the square of the attempt count,
/// capped at `maximumSeconds` (`mosquitto_reconnect_delay_set`).
public struct MQTTReconnectDelay: Sendable, Equatable {
    public var minimumSeconds: Int
    public var maximumSeconds: Int
    public var exponential: Bool

    public init(minimumSeconds: Int, maximumSeconds: Int, exponential: Bool = true) {
        self.minimumSeconds = minimumSeconds
        self.maximumSeconds = maximumSeconds
        self.exponential = exponential
    }

    /// 1 s, growing to 5 s: the broker is on the box or the site's network, so trying it
    /// every 5 s costs nothing, and a longer wait is time the hub takes no alarms after the
    /// broker is back (25 s after a 60 s outage with a 30 s cap, measured in
    /// docs/reliability.md).
    public static let standard = MQTTReconnectDelay(minimumSeconds: 1, maximumSeconds: 5)

    /// The first wait, in seconds (at least 1).
    public var first: Double { Double(max(1, minimumSeconds)) }

    /// The wait after one of `delay` seconds: doubled when exponential, at most the maximum.
    public func next(after delay: Double) -> Double {
        min(exponential ? delay * 2 : delay, Double(max(1, maximumSeconds)))
    }
}
