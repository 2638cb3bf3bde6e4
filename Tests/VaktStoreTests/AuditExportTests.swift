import Foundation
import Testing
import VaktCore

@testable import VaktStore

@Suite("Audit export")
struct AuditExportTests {
    private func records() throws -> (ScratchDirectory, [AuditRecord]) {
        let dir = try ScratchDirectory()
        let store = try Store(directory: dir.path)
        _ = try store.commit(event: nil) {
            [
                .audit(Fixture.entry()),
                .audit(
                    AuditEntry(
                        at: Fixture.start + 95.5, actor: "staff:kari", action: .alarmResolved, alarm: "A1",
                        detail: ["outcome": "assisted", "note": #"fell, "mild" bruise"#])),
            ]
        }
        return (dir, try store.auditRecords())
    }

    @Test("JSON Lines: one object per line that decodes back, and that minus its hashes is the canonical form")
    func jsonl() throws {
        let (_, records) = try records()
        let text = AuditExport.jsonl(records)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines.last == "")
        let decoded = try lines.dropLast().map { try JSONDecoder().decode(AuditRecord.self, from: Data($0.utf8)) }
        #expect(decoded == records)
        #expect(AuditChainVerifier.verify(decoded) == .intact(count: 2, lastHash: records[1].hash))
        let second = String(lines[1])
        #expect(second.contains(#""prev_hash":"\#(records[0].hash)""#))
        let stripped =
            second
            .replacingOccurrences(of: #","hash":"\#(records[1].hash)""#, with: "")
            .replacingOccurrences(of: #","prev_hash":"\#(records[1].prevHash)""#, with: "")
        #expect(Data(stripped.utf8) == records[1].canonicalBytes())
    }

    @Test("Codable export keeps every key, absent values as null")
    func codableNulls() throws {
        let (_, records) = try records()
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(records[0])) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == Set(AuditExport.csvColumns))
        #expect(object?["channel"] is NSNull)
        #expect(object?["at"] as? String == "2026-11-26T01:14:00.000Z")
    }

    @Test("CSV: header, RFC 4180 quoting of commas and quotes, fields read back")
    func csv() throws {
        let (_, records) = try records()
        let text = AuditExport.csv(records)
        #expect(text.hasPrefix("seq,at,actor,action,alarm,channel,recipient,result,detail,prev_hash,hash\r\n"))
        #expect(text.contains(#","{""note"":""fell, \""mild\"" bruise"",""outcome"":""assisted""}","#))
        let rows = CSVReader.parse(text)
        #expect(rows.count == 3)
        #expect(rows[0] == AuditExport.csvColumns)
        let row = rows[2]
        #expect(row[0] == "2")
        #expect(row[1] == "2026-11-26T01:15:35.500Z")
        #expect(row[5] == "")
        let detail = try JSONDecoder().decode([String: String].self, from: Data(row[8].utf8))
        #expect(detail["note"] == #"fell, "mild" bruise"#)
        #expect(row[9] == records[1].prevHash && row[10] == records[1].hash)
    }
}

/// A strict RFC 4180 reader, enough to read an export back.
enum CSVReader {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\r", chars.first == "\n" {
                chars.removeFirst()
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.unicodeScalars.append(c)
            }
        }
        return rows
    }
}
