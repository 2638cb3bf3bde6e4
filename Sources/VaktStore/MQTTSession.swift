/// The hub's MQTT session as last committed, to resume idempotency keys after a restart.
public struct MQTTSession: Sendable, Equatable {
    /// Bumped each time the broker starts a new session for the hub.
    public var epoch: Int
    /// The last QoS 1 packet id seen in this epoch; `nil` when none (packet ids start at 1).
    public var lastMid: Int?
    /// How many times packet ids have wrapped in this epoch.
    public var wraps: Int

    public init(epoch: Int, lastMid: Int?, wraps: Int) {
        self.epoch = epoch
        self.lastMid = lastMid
        self.wraps = wraps
    }
}

/// The session state to store together with an event, in the same transaction.
public struct MQTTSessionUpdate: Sendable, Equatable {
    public var epoch: Int
    /// `0` when no packet id has been seen in this epoch.
    public var lastMid: Int
    public var wraps: Int

    public init(epoch: Int, lastMid: Int, wraps: Int) {
        self.epoch = epoch
        self.lastMid = lastMid
        self.wraps = wraps
    }
}
