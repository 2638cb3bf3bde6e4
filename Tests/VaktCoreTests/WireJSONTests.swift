import Foundation
import Testing
import VaktCore

/// What the hub publishes is the JSON JSONSerialization with sorted keys would write (apart
/// from `/`, which JSONSerialization escapes and the canonical writer does not), whichever of
/// the two writes it.
struct WireJSONTests {
    private func serialized(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }

    @Test func aReplyIsWrittenAsJSONSerializationWouldWriteIt() throws {
        let reply: [String: Any] = [
            "id": "c-1", "ok": false, "message": "A7 er allerede kvittert av ns2 / already acknowledged",
            "alarm": ["id": "A7", "number": 7, "notified": ["ns1", "ns2"], "note": NSNull(), "test": true],
            "events": [["at": "2026-11-26T02:14:00+01:00", "action": "alarm.raised"]],
            "detail": ["tier": "1", "reason": "line\nbreak \"quoted\" \u{01}"],
        ]
        let written = String(decoding: WireJSON.bytes(reply), as: UTF8.self)
        let expected = try serialized(reply)
        #expect(written == expected)
    }

    @Test func numbersReadFromJSONGoThroughJSONSerialization() throws {
        let parsed = try #require(WireJSON.object(Array(#"{"b":true,"n":1,"x":1.5,"s":"t"}"#.utf8)))
        #expect(String(decoding: WireJSON.bytes(parsed), as: UTF8.self) == (try serialized(parsed)))
        #expect(String(decoding: WireJSON.bytes(["x": 0.25]), as: UTF8.self) == #"{"x":0.25}"#)
    }
}
