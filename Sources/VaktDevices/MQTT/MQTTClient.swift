import CMosquitto
import Foundation
import Logging

/// An MQTT 3.1.1 client over libmosquitto, with its network loop on a thread of its own.
///
/// Protocol 3.1.1 rather than 5: in version 5 a session without a session-expiry interval
/// ends at disconnect, which would silently defeat `cleanSession: false`.
///
/// After `connect(to:)` libmosquitto keeps the connection up by itself: when it drops, it
/// reconnects with the options' backoff, and `onConnect` runs again (subscribe there). All
/// callbacks run on libmosquitto's network thread, one at a time.
///
/// While `connect(to:)` is in effect the loop holds a strong reference to the client, so a
/// running client is never freed under its own network thread; `disconnect()` releases it.
public final class MQTTClient: @unchecked Sendable {
    public let options: MQTTClientOptions
    let logger: Logger
    let handle: OpaquePointer

    /// Guards everything below and signals connection changes.
    let condition = NSCondition()
    /// Serialises `disconnect()` so concurrent calls never stop the loop twice.
    let stopLock = NSLock()
    var connected = false
    /// Connected, and `onConnect` has returned for this connection.
    var ready = false
    var everConnected = false
    var loopRunning = false
    var retainedSelf: Unmanaged<MQTTClient>?
    var address: BrokerAddress?
    var loopThread: pthread_t?
    var messageHandler: (@Sendable (MQTTMessage) -> Void)?
    var batchHandler: (@Sendable ([MQTTMessage]) -> Bool)?
    /// Messages read in the current go of the client's own loop (its thread only).
    var batch: [MQTTMessage] = []
    /// The client's own loop (with `onBatch`): asked to stop, woken through a pipe, done.
    var ownLoop: OwnLoop?
    /// The connection was cut on purpose (`abortConnection`): what is still read from it is
    /// dropped, unacknowledged, until the next connection.
    var aborted = false
    var connectHandler: (@Sendable (_ sessionPresent: Bool) -> Void)?
    var subscribeHandler: (@Sendable (_ mid: Int) -> Void)?
    var disconnectHandler: (@Sendable (_ code: Int32) -> Void)?
    /// When each problem libmosquitto reported was last said (monotonic seconds), to say the
    /// same words once a minute at most.
    var problemsSaid: [String: Double] = [:]

    /// Creates a client; nothing is sent until `connect(to:)`.
    ///
    /// - Throws: `MosquittoError.invalid` for an empty client id with a persistent session,
    ///   and any error libmosquitto reports for the will or the credentials.
    public init(options: MQTTClientOptions, logger: Logger) throws {
        _ = MosquittoLibrary.initialized
        guard let handle = mosquitto_new(options.clientID, options.cleanSession, nil) else {
            throw errno == ENOMEM ? MosquittoError.noMemory : MosquittoError.invalid
        }
        do {
            try Self.configure(handle, options)
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        self.options = options
        self.logger = logger
        self.handle = handle
        installCallbacks()
    }

    private static func configure(_ handle: OpaquePointer, _ options: MQTTClientOptions) throws {
        try MosquittoError.check(
            mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311))
        if let will = options.will {
            try will.payload.withUnsafeBytes { bytes in
                try MosquittoError.check(
                    mosquitto_will_set(
                        handle, will.topic, Int32(bytes.count), bytes.baseAddress, Int32(will.qos), will.retain))
            }
        }
        if options.username != nil || options.password != nil {
            try MosquittoError.check(mosquitto_username_pw_set(handle, options.username, options.password))
        }
        let delay = options.reconnectDelay
        try MosquittoError.check(
            mosquitto_reconnect_delay_set(
                handle, UInt32(max(1, delay.minimumSeconds)), UInt32(max(delay.minimumSeconds, delay.maximumSeconds)),
                delay.exponential))
    }

    deinit {
        mosquitto_destroy(handle)
    }

    /// Called on the network thread for every message.
    ///
    /// The handler runs synchronously, and the PUBACK of a QoS 1 message is written only after
    /// it returns, so a handler that commits the message to disk before returning never lets
    /// the broker forget a message that is not on disk. Set it before `connect(to:)`.
    public var onMessage: (@Sendable (MQTTMessage) -> Void)? {
        get { condition.withLock { messageHandler } }
        set { condition.withLock { messageHandler = newValue } }
    }

    /// Called on every (re)connection with whether the broker resumed a persistent session
    /// (the CONNACK session-present flag). Subscribe and publish retained state here.
    public var onConnect: (@Sendable (_ sessionPresent: Bool) -> Void)? {
        get { condition.withLock { connectHandler } }
        set { condition.withLock { connectHandler = newValue } }
    }

    /// Called on the network thread with the messages read from the socket in one go (as many
    /// as the broker has in flight, 512 at most), instead of `onMessage` one by one. The
    /// PUBACKs of the QoS 1 messages among them are written only after it returns `true`: a
    /// handler that commits them all in one transaction before returning never lets the
    /// broker forget a message that is not on disk, with one fsync for the lot. When it
    /// returns `false`, the connection is cut at once, unacknowledged, so the broker keeps
    /// them and delivers them again (QoS 1; libmosquitto answers QoS 2 before it hands a
    /// message over). Set it before `connect(to:)`, which fixes the mode: the client then
    /// drives libmosquitto's loop on a thread of its own.
    public var onBatch: (@Sendable ([MQTTMessage]) -> Bool)? {
        get { condition.withLock { batchHandler } }
        set { condition.withLock { batchHandler = newValue } }
    }

    /// Called when the broker confirms a subscription (SUBACK), with the id `subscribe` returned.
    public var onSubscribe: (@Sendable (_ mid: Int) -> Void)? {
        get { condition.withLock { subscribeHandler } }
        set { condition.withLock { subscribeHandler = newValue } }
    }

    /// Called when an established connection ends; `code` is 0 after `disconnect()`, a
    /// `MOSQ_ERR_*` code when the connection was lost (libmosquitto then reconnects).
    public var onDisconnect: (@Sendable (_ code: Int32) -> Void)? {
        get { condition.withLock { disconnectHandler } }
        set { condition.withLock { disconnectHandler = newValue } }
    }

    /// Whether the broker has accepted the connection and it has not dropped since.
    public var isConnected: Bool { condition.withLock { connected } }
}
