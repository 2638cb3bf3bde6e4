import Foundation
import GRDB
import VaktCore

@testable import VaktStore

/// A fresh directory under the system's temporary directory, removed when released.
final class ScratchDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("vakt-store-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var databasePath: String { (path as NSString).appendingPathComponent(Store.fileName) }

    /// Drops the append-only triggers through a plain connection and runs `sql`, as someone
    /// with the file and the sqlite3 tool could.
    func tamper(_ sql: String) throws {
        let queue = try DatabaseQueue(path: databasePath)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete")
            try db.execute(sql: sql)
        }
    }
}

/// Fixed instants and values for tests; no test reads the wall clock.
enum Fixture {
    /// 2026-11-26T01:14:00Z (02:14 in Oslo).
    static let start = Date(timeIntervalSince1970: 1_795_655_640)

    /// 100 records over 25 commits of four each, 1.2345678 s apart, about alarms A1-A3.
    static func storeWithHundredRecords(_ dir: ScratchDirectory) throws -> Store {
        let store = try Store(directory: dir.path)
        for batch in 0..<25 {
            let at = start.addingTimeInterval(Double(batch) * 1.2345678)
            _ = try store.commit(event: event("k\(batch)", at: at)) {
                (0..<4).map { .audit(entry(alarm: "A\(batch % 3 + 1)", at: at, note: "batch \(batch) #\($0)")) }
            }
        }
        return store
    }

    static func event(_ key: String, at date: Date = start, status: EventStatus = .accepted) -> EventRecord {
        EventRecord(
            key: key, receivedAt: date, source: "zigbee2mqtt/room103/fall", device: "fall-103",
            kind: "fall.detected", payload: Data(#"{"fall":true}"#.utf8), status: status, reason: nil)
    }

    static func alarm(_ number: Int, at date: Date = start) -> Alarm {
        Alarm(
            id: "A\(number)", kind: "fall", severity: .high, resident: "r103", room: "103", device: "fall-103",
            rule: "fall", policy: "night", raisedAt: date)
    }

    static func entry(
        _ action: AuditAction = .alarmRaised, alarm: String = "A1", at date: Date = start, note: String = ""
    )
        -> AuditEntry
    {
        AuditEntry(at: date, actor: "device:fall-103", action: action, alarm: alarm, detail: ["note": note])
    }

    static func notification(_ key: String, alarm: String = "A1") -> VaktCore.Notification {
        VaktCore.Notification(
            key: key, alarm: alarm, tier: 0, round: 0, channel: "webhook",
            recipient: Recipient(id: "s1", name: "Kari", kind: .staff, address: "https://example.invalid/hook"),
            severity: .high, alarmKind: "fall", room: "103", title: "Fall i rom 103", body: "Fall registrert")
    }

    static func timer(_ alarm: String, due: Date) -> ScheduledTimer {
        ScheduledTimer(id: "\(alarm):escalate", alarm: alarm, purpose: .escalate, due: due)
    }

    /// What the engine returns for a raised alarm: state, audit, a notification and a timer.
    static func raiseEffects(_ number: Int, at date: Date = start) -> [Effect] {
        let alarm = alarm(number, at: date)
        return [
            .saveAlarm(alarm),
            .audit(entry(alarm: alarm.id, at: date)),
            .enqueue(notification("site:\(alarm.id):t0:r0:s1:webhook", alarm: alarm.id)),
            .audit(
                AuditEntry(
                    at: date, actor: "hub", action: .notificationQueued, alarm: alarm.id, channel: "webhook",
                    recipient: "s1", detail: ["tier": "0", "round": "0"])),
            .schedule(timer(alarm.id, due: date.addingTimeInterval(120))),
        ]
    }
}

struct Boom: Error {}

extension Store {
    /// Row counts of every table, to check that nothing was written.
    func tableCounts() throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            for table in ["events", "alarms", "timers", "outbox", "audit", "mqtt_session"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1
            }
            return counts
        }
    }
}
