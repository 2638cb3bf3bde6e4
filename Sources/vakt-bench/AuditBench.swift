import Foundation
import VaktCore
import VaktStore

/// `vakt-bench audit [--records N] [--dir DIR [--keep]]`: fills a fresh store with N audit records
/// (batches of 10,000 per transaction, as a busy hub's records would look), then measures
/// `verifyAudit` and the JSON Lines and CSV exports, each as records per second. Prints one
/// JSON object.
enum AuditBench {
    static func run() throws {
        let count = argument("--records", default: 1_000_000)
        let arguments = CommandLine.arguments
        let directory =
            arguments.firstIndex(of: "--dir").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("vakt-bench-audit-\(getpid())").path
        let keep = arguments.contains("--keep")
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        let store = try Store(directory: directory)
        // With --keep, a store already filled by an earlier run is measured again as it is.
        let present = (try store.auditHead())?.seq ?? 0
        let start = Date(timeIntervalSince1970: 1_795_655_640)
        let batch = 10_000
        let fill = seconds {
            var written = present
            while written < count {
                let size = min(batch, count - written)
                _ = try? store.commit(event: nil) {
                    (0..<size).map { offset in
                        let n = written + offset
                        return .audit(
                            AuditEntry(
                                at: start.addingTimeInterval(Double(n) * 0.5), actor: n % 5 == 0 ? "staff:ns1" : "hub",
                                action: n % 3 == 0 ? .notificationDelivered : .alarmEscalated, alarm: "A\(n / 20 + 1)",
                                channel: n % 3 == 0 ? "webhook" : nil, recipient: n % 3 == 0 ? "ns1" : nil,
                                result: n % 3 == 0 ? "delivered" : nil,
                                detail: ["tier": String(n % 3), "round": String(n % 7), "reason": "unacknowledged"]))
                    }
                }
                written += size
                if isatty(STDERR_FILENO) == 1 {
                    FileHandle.standardError.write(Data("\raudit bench: filling \(written)/\(count)".utf8))
                }
            }
        }
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\n".utf8)) }
        if arguments.contains("--verify-only") {
            let time = seconds { _ = try? store.verifyAudit() }
            print("{\"verify_per_s\":\(Int(Double(count) / time))}")
            return
        }
        var verified = 0
        let verify = seconds {
            if case .intact(let n, _) = try? store.verifyAudit() { verified = n }
        }
        guard verified == count else {
            FileHandle.standardError.write(
                Data("audit bench: the chain did not verify (\(verified) of \(count))\n".utf8))
            exit(1)
        }
        var bytes = 0
        let jsonl = seconds {
            var buffer: [UInt8] = []
            try? store.forEachAuditRecord(AuditFilter()) { record in
                AuditExport.appendJSONL(record, to: &buffer)
                if buffer.count > 1 << 16 {
                    bytes += buffer.count
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            bytes += buffer.count
        }
        let csv = seconds {
            var length = 0
            try? store.forEachAuditRecord(AuditFilter()) { length += AuditExport.csvRow($0).utf8.count }
            _ = length
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int) ?? 0
        let result: [String: Any] = [
            "records": count, "database_mb": size / 1_048_576, "jsonl_mb": bytes / 1_048_576,
            "append_per_s": present >= count ? NSNull() : Int(Double(count - present) / fill) as Any,
            "verify_per_s": Int(Double(count) / verify),
            "export_jsonl_per_s": Int(Double(count) / jsonl), "export_csv_per_s": Int(Double(count) / csv),
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private static func seconds(_ body: () -> Void) -> Double {
        let begin = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
    }
}
