import Foundation
import VaktCore

/// The audit log as files for people and other systems: JSON Lines or CSV.
///
/// Both carry `prev_hash` and `hash`, so an export can be verified without Vakt.
public enum AuditExport {
    /// One JSON object per line, `\n`-terminated.
    ///
    /// Each line is the record's canonical object (see ``AuditRecord/canonicalBytes()``) with
    /// `hash` and `prev_hash` added, keys still sorted: drop those two keys and the line is
    /// exactly the bytes the hash covers.
    public static func jsonl(_ records: [AuditRecord]) -> String {
        var out: [UInt8] = []
        for record in records { appendJSONL(record, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one record as a JSON Lines line; without `chain`, the hash fields are left out
    /// (for pseudonymised records, which no longer match them).
    public static func appendJSONL(_ record: AuditRecord, chain: Bool = true, to out: inout [UInt8]) {
        var members = record.canonicalMembers
        if chain { members += [("prev_hash", .string(record.prevHash)), ("hash", .string(record.hash))] }
        CanonicalJSON.write(.object(members), to: &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// The CSV header, in column order.
    public static let csvColumns = [
        "seq", "at", "actor", "action", "alarm", "channel", "recipient", "result", "detail", "prev_hash", "hash",
    ]

    /// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a comma, a
    /// quote, CR or LF (quotes doubled). Absent values are empty fields; `detail` is its
    /// canonical JSON object; `at` is RFC 3339 UTC with milliseconds.
    public static func csv(_ records: [AuditRecord]) -> String {
        var out = csvHeader()
        for record in records { out += csvRow(record) }
        return out
    }

    /// The header line, CRLF-terminated; without `chain`, no hash columns.
    public static func csvHeader(chain: Bool = true) -> String {
        (chain ? csvColumns : Array(csvColumns.dropLast(2))).joined(separator: ",") + "\r\n"
    }

    /// One record as a CSV line, CRLF-terminated; without `chain`, no hash columns.
    public static func csvRow(_ record: AuditRecord, chain: Bool = true) -> String {
        var fields: [String] = [
            String(record.seq), UTCMilliseconds.string(record.at), record.actor, record.action,
            record.alarm ?? "", record.channel ?? "", record.recipient ?? "", record.result ?? "",
            String(decoding: CanonicalJSON.bytes(.strings(record.detail)), as: UTF8.self),
        ]
        if chain { fields += [record.prevHash, record.hash] }
        return fields.map(csvField).joined(separator: ",") + "\r\n"
    }

    private static func csvField(_ text: String) -> String {
        var needsQuotes = false
        var quotes = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                needsQuotes = true
                quotes += 1
            case UInt8(ascii: ","), 0x0A, 0x0D: needsQuotes = true
            default: break
            }
        }
        guard needsQuotes else { return text }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(text.utf8.count + quotes + 2)
        for byte in text.utf8 {
            out.append(byte)
            if byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
