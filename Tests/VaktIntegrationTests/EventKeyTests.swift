import Foundation
import Testing
import VaktRuntime

/// Event keys are how a redelivered message is recognised, across restarts and upgrades: their
/// form may never change. The digest is SHA-256 over the topic, a NUL and the payload, its first
/// 16 bytes in hex (checked against Python's hashlib).
struct EventKeyTests {
    @Test func aQoS1MessageKeyIsPinned() {
        var tracker = MQTTSessionTracker(epoch: 3, lastMid: nil, wraps: 0)
        let key = tracker.key(
            topic: "zigbee2mqtt/room101/sos", payload: Array(#"{"action":"emergency"}"#.utf8), qos: 1, mid: 42,
            retain: false)
        #expect(key == "mqtt:3:0:42:7826230a58b2bcdecea6d396dd5b72d9")
    }
}
