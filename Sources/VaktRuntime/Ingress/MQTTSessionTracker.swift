import Crypto
import Foundation
import VaktCore

/// Gives every MQTT message an idempotency key, so a message the broker redelivers after a
/// crash is recognised and never becomes a second event.
///
/// MQTT has no message id that outlives a session, and packet ids wrap at 65,535. A QoS 1
/// message is redelivered only within the same broker session and with the same packet id,
/// so its key combines:
/// - the session *epoch*, bumped whenever the broker starts a new session for the hub
///   (CONNACK without session-present: packet ids restart, nothing old can be redelivered);
/// - how many times packet ids have wrapped in this epoch (a drop of more than half the id
///   space from the last id seen);
/// - the packet id, the topic and a hash of the payload.
/// QoS 0 messages are never redelivered, so each gets a fresh key. A retained message
/// replayed on (re)subscribe is keyed by topic and payload within the epoch, so the same
/// retained state replayed twice is recorded once.
public struct MQTTSessionTracker: Sendable, Equatable {
    public private(set) var epoch: Int
    public private(set) var lastMid: Int?
    public private(set) var wraps: Int

    public init(epoch: Int = 0, lastMid: Int? = nil, wraps: Int = 0) {
        self.epoch = epoch
        self.lastMid = lastMid
        self.wraps = wraps
    }

    /// The broker started a new session for the hub: packet ids restart.
    public mutating func beginNewSession() {
        epoch += 1
        lastMid = nil
        wraps = 0
    }

    /// The key for one message; updates the wrap count for QoS 1 and 2 messages.
    public mutating func key(topic: String, payload: [UInt8], qos: Int, mid: Int, retain: Bool) -> String {
        key(digest: Self.digest(topic: topic, payload: payload), qos: qos, mid: mid, retain: retain)
    }

    /// The key for a message whose `digest(topic:payload:)` the caller already has.
    public mutating func key(digest: String, qos: Int, mid: Int, retain: Bool) -> String {
        if retain {
            return "mqtt:\(epoch):retained:\(digest)"
        }
        guard qos > 0 else {
            return "mqtt:\(epoch):qos0:\(UUID().uuidString)"
        }
        if let lastMid, mid < lastMid, lastMid - mid > 32_768 {
            wraps += 1
        }
        lastMid = mid
        return "mqtt:\(epoch):\(wraps):\(mid):\(digest)"
    }

    /// SHA-256 over the topic, a NUL, and the payload; hex, first 32 characters.
    static func digest(topic: String, payload: [UInt8]) -> String {
        var hasher = SHA256()
        var topic = topic
        topic.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        hasher.update(data: [0])
        hasher.update(data: payload)
        return hasher.finalize().withUnsafeBytes { Hex.string($0, count: 16) }
    }
}
