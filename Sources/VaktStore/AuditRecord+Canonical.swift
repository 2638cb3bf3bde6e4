import Crypto
import Foundation

extension AuditRecord {
    /// The bytes the record's hash covers: a JSON object of its content, fixed byte for byte.
    ///
    /// The object holds `seq`, `at` (RFC 3339 UTC with milliseconds,
    /// `2026-11-26T02:14:00.000Z`), `actor`, `action`, `alarm`, `channel`, `recipient`,
    /// `result` and `detail` (an object of strings); absent values are `null`. Keys are sorted
    /// by their UTF-8 bytes at every level and there is no whitespace, so the object reads
    /// `{"action":…,"actor":…,"alarm":…,"at":…,"channel":…,"detail":{…},"recipient":…,"result":…,"seq":…}`.
    /// Strings escape only `"`, `\` and control characters (see `CanonicalJSON`); other
    /// characters are their raw UTF-8 bytes. `prev_hash` and `hash` are not part of it.
    ///
    /// The bytes equal Python's `json.dumps(obj, sort_keys=True, separators=(",", ":"),
    /// ensure_ascii=False).encode()`, so anyone can check an exported record without Vakt:
    /// `hashlib.sha256(prev_hash.encode() + canonical).hexdigest()` must equal `hash`.
    public func canonicalBytes() -> Data {
        Data(CanonicalJSON.bytes(.object(canonicalMembers)))
    }

    /// The members of ``canonicalBytes()``, for writers that add fields (the JSONL export).
    var canonicalMembers: [(String, CanonicalJSON.Value)] {
        [
            ("seq", .integer(seq)),
            ("at", .string(UTCMilliseconds.string(at))),
            ("actor", .string(actor)),
            ("action", .string(action)),
            ("alarm", .optional(alarm)),
            ("channel", .optional(channel)),
            ("recipient", .optional(recipient)),
            ("result", .optional(result)),
            ("detail", .strings(detail)),
        ]
    }

    /// The hash this record should carry: `hex(SHA-256(prevHash UTF-8 ++ canonicalBytes()))`.
    public func computedHash() -> String {
        Self.chainHash(prevHash: prevHash, canonical: canonicalBytes())
    }

    /// `hex(SHA-256(prevHash UTF-8 ++ canonical))`, lowercase.
    public static func chainHash(prevHash: String, canonical: Data) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(prevHash.utf8))
        hasher.update(data: canonical)
        return hex(hasher.finalize())
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
