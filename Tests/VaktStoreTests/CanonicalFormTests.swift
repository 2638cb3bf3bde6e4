import Foundation
import Testing
import VaktCore
import VaktTesting

@testable import VaktStore

@Suite("Canonical audit bytes")
struct CanonicalFormTests {
    private let record = AuditRecord(
        seq: 7, at: Date(timeIntervalSince1970: 1_795_655_640.123_456), actor: "staff:kari",
        action: "alarm.resolved", alarm: "A3", channel: nil, recipient: nil, result: "ok",
        detail: ["outcome": "assisted", "note": "Sa \"hei\", å\n\tok\\ \u{1}"],
        prevHash: AuditRecord.genesisHash, hash: "")

    @Test("sorted keys, no whitespace, nulls, escapes, milliseconds in UTC")
    func bytes() {
        let text = String(decoding: record.canonicalBytes(), as: UTF8.self)
        #expect(
            text == #"{"action":"alarm.resolved","actor":"staff:kari","alarm":"A3","at":"2026-11-26T01:14:00.123Z","#
                + #""channel":null,"detail":{"note":"Sa \"hei\", å\n\tok\\ \u0001","outcome":"assisted"},"#
                + #""recipient":null,"result":"ok","seq":7}"#)
    }

    @Test("the hash is SHA-256 over the previous hash's text and the canonical bytes")
    func hash() {
        // Computed independently, with Python: hashlib.sha256(b"0" * 64 + json.dumps(obj,
        // sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        #expect(record.computedHash() == "51bc366a8dccd6919d420276b5b2287582c06f0c756a2a640cc48c182bfb4665")
    }

    @Test("timestamps: truncation, dates before 1970, parsing back")
    func timestamps() {
        #expect(UTCMilliseconds.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(UTCMilliseconds.string(Date(timeIntervalSince1970: -0.0005)) == "1969-12-31T23:59:59.999Z")
        #expect(UTCMilliseconds.string(Date(timeIntervalSince1970: 1_709_208_000.999_9)) == "2024-02-29T12:00:00.999Z")
        for ms: Int64 in [0, 1, 999, 1_795_655_640_123, -1, 951_782_400_000, 4_102_444_799_999] {
            let date = UTCMilliseconds.date(ms)
            #expect(UTCMilliseconds.milliseconds(date) == ms)
            #expect(UTCMilliseconds.date(from: UTCMilliseconds.string(date)) == date)
        }
        #expect(UTCMilliseconds.date(from: "2026-11-26T02:14:00+01:00") == Date(timeIntervalSince1970: 1_795_655_640))
    }

    @Test("the fast detail reader reads back what the writer wrote, and refuses anything else")
    func detailReader() {
        var random = SplitMix64(seed: 0xDE7A11)
        let alphabet = Array("aZ09 ,:{}[]\"\\/\n\r\t\u{01}\u{1F}æøåÆØÅ😀\u{7F}")
        for _ in 0..<500 {
            var detail: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                let key = String(
                    (0..<Int.random(in: 1...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
                detail[key] = String(
                    (0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            }
            let bytes = CanonicalJSON.bytes(.strings(detail))
            #expect(CanonicalJSON.parseStrings(bytes) == detail)
        }
        for text in [
            #"{ "a":"b"}"#, #"{"a":1}"#, #"{"a":"b",}"#, #"{"a":"b"} "#, "[]", "", #"{"a":"\u0041"}"#, #"{"a":"b""#,
        ] {
            #expect(CanonicalJSON.parseStrings(Array(text.utf8)) == nil, "\(text)")
        }
        #expect(CanonicalJSON.parseStrings(Array("{}".utf8)) == [:])
    }
}

/// A source's `json` column is written by hand for speed: it must read back as JSONEncoder's
/// would, field for field and bit for bit.
@Suite struct SourceJSONTests {
    @Test func readsBackAsJSONEncodersWouldForEveryField() throws {
        var rng = SystemRandomNumberGenerator()
        func date() -> Date? {
            Bool.random(using: &rng) ? nil : Date(timeIntervalSinceReferenceDate: Double.random(in: -1e9...2e9))
        }
        func text() -> String? {
            Bool.random(using: &rng) ? nil : ["", "a\"b\\c", "linje\nto\t\u{1}", "Ærlig 🚪", "p-00ff"].randomElement()
        }
        for _ in 0..<2000 {
            var state = SourceState(
                id: text() ?? "room101-door",
                watchedSince: date() ?? Date(timeIntervalSinceReferenceDate: 817_262_040.123_456_7))
            state.online = [nil, true, false].randomElement()!
            state.battery = Bool.random() ? nil : Int.random(in: -5...250)
            state.lowBattery = Bool.random()
            state.tampered = Bool.random()
            state.lastSeen = date()
            state.onlineSince = date()
            state.silent = Bool.random()
            state.rejected = Int.random(in: 0...100_000)
            state.lastRejection = text()
            state.lastRejectionAt = date()
            state.lastDigest = text()
            state.warning = text()
            state.chainProvenAt = date()
            state.chainProof = text()
            state.proofExpired = Bool.random()
            state.chainProofKind = text()
            state.testUntil = date()
            state.testAlarm = text()
            state.proofSince = date()
            let fast = Store.json(state)
            let decoded = try JSONDecoder().decode(SourceState.self, from: Data(fast.utf8))
            #expect(decoded == state, "\(fast)")
            let reference = try JSONDecoder().decode(
                SourceState.self, from: Data(try StoredJSON.encode(state).utf8))
            #expect(decoded == reference)
        }
        // A field added to SourceState and not to the hand-written form shows here.
        var full = SourceState(id: "room101-door", watchedSince: Date(timeIntervalSinceReferenceDate: 1))
        full.online = true
        full.battery = 80
        full.lastSeen = Date(timeIntervalSinceReferenceDate: 2)
        full.onlineSince = Date(timeIntervalSinceReferenceDate: 3)
        full.lastRejection = "x"
        full.lastRejectionAt = Date(timeIntervalSinceReferenceDate: 4)
        full.lastDigest = "d"
        full.warning = "w"
        full.chainProvenAt = Date(timeIntervalSinceReferenceDate: 5)
        full.chainProof = "p"
        full.chainProofKind = "alarm"
        full.testUntil = Date(timeIntervalSinceReferenceDate: 6)
        full.testAlarm = "A1"
        full.proofSince = Date(timeIntervalSinceReferenceDate: 7)
        func keys(_ text: String) throws -> Set<String> {
            Set((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?.keys.map { $0 } ?? [])
        }
        #expect(try keys(Store.json(full)) == keys(try StoredJSON.encode(full)))
    }
}
