import Crypto
import Foundation
import VaktCore

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

    /// Writes the canonical bytes of a stored row straight from its columns into `out`
    /// (emptied first), with `detail` spliced in as the stored text: what `verifyAudit` hashes,
    /// without decoding the detail object and encoding it again.
    ///
    /// The store writes `detail` in canonical form, so for every record it wrote, these bytes
    /// equal ``canonicalBytes()``. A detail edited into other bytes, even JSON that decodes to
    /// the same object, no longer matches its hash: the file was changed.
    ///
    /// The text columns come as their stored UTF-8 bytes, read in place (`nil` for NULL).
    static func writeCanonical(
        seq: Int, at: Date, actor: UnsafeRawBufferPointer, action: UnsafeRawBufferPointer,
        alarm: UnsafeRawBufferPointer?, channel: UnsafeRawBufferPointer?, recipient: UnsafeRawBufferPointer?,
        result: UnsafeRawBufferPointer?, storedDetail: UnsafeRawBufferPointer, to out: inout [UInt8]
    ) {
        out.removeAll(keepingCapacity: true)
        func key(_ name: StaticString, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }
        func optional(_ text: UnsafeRawBufferPointer?) {
            if let text {
                CanonicalJSON.writeString(utf8: text, to: &out)
            } else {
                out.append(UInt8(ascii: "n"))
                out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "l"))
                out.append(UInt8(ascii: "l"))
            }
        }
        // Keys in byte order: action, actor, alarm, at, channel, detail, recipient, result, seq.
        out.append(UInt8(ascii: "{"))
        key("action", first: true)
        CanonicalJSON.writeString(utf8: action, to: &out)
        key("actor")
        CanonicalJSON.writeString(utf8: actor, to: &out)
        key("alarm")
        optional(alarm)
        key("at")
        out.append(UInt8(ascii: "\""))
        UTCMilliseconds.write(milliseconds: UTCMilliseconds.milliseconds(at), to: &out)
        out.append(UInt8(ascii: "\""))
        key("channel")
        optional(channel)
        key("detail")
        out.append(contentsOf: storedDetail)
        key("recipient")
        optional(recipient)
        key("result")
        optional(result)
        key("seq")
        out.append(contentsOf: String(seq).utf8)
        out.append(UInt8(ascii: "}"))
    }

    /// The hash this record should carry: `hex(SHA-256(prevHash UTF-8 ++ canonicalBytes()))`.
    public func computedHash() -> String {
        Self.chainHash(prevHash: prevHash, canonical: canonicalBytes())
    }

    /// `hex(SHA-256(prevHash UTF-8 ++ canonical))`, lowercase.
    public static func chainHash(prevHash: String, canonical: Data) -> String {
        canonical.withUnsafeBytes { chainHash(prevHash: prevHash, canonical: $0) }
    }

    static func chainHash(prevHash: String, canonical: UnsafeRawBufferPointer) -> String {
        hex(digest(prevHash: prevHash, canonical: canonical))
    }

    /// Whether `hash` (lowercase hex) is the chain hash of `prevHash` and `canonical`,
    /// compared byte by byte without building the hex string.
    static func chainHash(prevHash: String, canonical: UnsafeRawBufferPointer, equals hash: String) -> Bool {
        let digest = digest(prevHash: prevHash, canonical: canonical)
        var hash = hash
        return hash.withUTF8 { text in
            guard text.count == 64 else { return false }
            var index = 0
            for byte in digest {
                guard text[index] == Hex.digits[Int(byte >> 4)], text[index + 1] == Hex.digits[Int(byte & 0x0F)] else {
                    return false
                }
                index += 2
            }
            return true
        }
    }

    private static func digest(prevHash: String, canonical: UnsafeRawBufferPointer) -> SHA256.Digest {
        var hasher = SHA256()
        var prev = prevHash
        prev.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        hasher.update(bufferPointer: canonical)
        return hasher.finalize()
    }

    private static func hex(_ digest: SHA256.Digest) -> String { digest.withUnsafeBytes { Hex.string($0) } }
}
