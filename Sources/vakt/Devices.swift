import ArgumentParser
import Foundation
import VaktCore
import VaktStore

/// `vakt devices --data DIR [--json]`
struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List devices, bridges and receivers with their health.",
        discussion: """
            Reads the hub's database directly; works while the hub runs. Shows for each device \
            and bridge: online, battery, last seen, how many of its messages were rejected and \
            why the last one was, what its bridge's device list says is wrong with it, and its \
            open alarms. With --config every configured device is listed, also those never \
            heard from, and alarms are marked technical (raised by a rule about the equipment) \
            or not; with --data alone, only devices the hub has heard of or watched.

            With --json, prints a JSON array; each entry has id, type (device, bridge), room, \
            profile, link, online, silent, battery, low_battery, tampered, last_seen, \
            watched_since, rejected, last_rejection, last_rejection_at, warning, test_until \
            (its room is in test mode until then) and alarms \
            (id, kind, severity, state, technical), with RFC 3339 timestamps in the site's \
            time zone. online is false while a device is offline or past its maximum silence.
            """)

    @OptionGroup var location: DataOption

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let (site, store, view) = try location.open()
        let states = try DataOption.sources(in: store)
        let alarms = Dictionary(grouping: try store.openAlarms(), by: \.device)
        var ids = (site?.bridges.map(\.id) ?? []) + (site?.devices.map(\.id) ?? [])
        ids += states.keys.sorted().filter { !ids.contains($0) }
        let entries = ids.map { id in
            DeviceEntry(id: id, site: site, state: states[id], alarms: alarms[id] ?? [], zone: view.timeZone)
        }
        if json {
            try DataOption.printJSON(entries.map(\.object))
            return
        }
        if entries.isEmpty {
            print("No devices configured or heard of.")
            return
        }
        let header = ["ID", "ROOM", "ONLINE", "BATTERY", "LAST SEEN", "REJECTED", "ALARMS", "NOTE"]
        printTable(header: header, rows: entries.map(\.row))
    }
}

/// One line of `vakt devices`.
private struct DeviceEntry {
    var object: [String: Any]
    var row: [String]

    init(id: String, site: Site?, state: SourceState?, alarms: [Alarm], zone: TimeZone) {
        let device = site?.device(id)
        let bridge = site?.bridge(id)
        let time = { (date: Date?) -> Any in date.map { RFC3339.string(from: $0, in: zone) as Any } ?? NSNull() }
        let online: Any = state?.reportedOnline.map { $0 as Any } ?? NSNull()
        let alarmObjects = alarms.map { alarm -> [String: Any] in
            let technical: Any = site?.rules.first { $0.id == alarm.rule }.map { $0.isTechnical as Any } ?? NSNull()
            return [
                "id": alarm.id, "kind": alarm.kind, "severity": alarm.severity.rawValue, "state": alarm.state.rawValue,
                "technical": technical,
            ]
        }
        object = [
            "id": id, "type": bridge != nil ? "bridge" : "device",
            "room": device?.room ?? bridge?.room ?? NSNull(),
            "profile": device?.profile ?? Self.profile(of: bridge) ?? NSNull(),
            "link": Self.link(device: device, bridge: bridge) ?? NSNull(), "online": online,
            "silent": state?.silent ?? false, "battery": state?.battery.map { $0 as Any } ?? NSNull(),
            "low_battery": state?.lowBattery ?? false, "tampered": state?.tampered ?? false,
            "last_seen": time(state?.lastSeen), "watched_since": time(state?.watchedSince),
            "rejected": state?.rejected ?? 0, "last_rejection": state?.lastRejection ?? NSNull(),
            "last_rejection_at": time(state?.lastRejectionAt), "warning": state?.warning ?? NSNull(),
            "test_until": time(state?.testUntil),
            "alarms": alarmObjects,
        ]
        let onlineText =
            state?.silent == true ? "silent" : state?.online.map { $0 ? "yes" : "no" } ?? "-"
        var note = state?.warning ?? ""
        if let until = state?.testUntil, until > Date() {
            note = "TEST until \(RFC3339.string(from: until, in: zone))" + (note.isEmpty ? "" : "; ") + note
        }
        if let reason = state?.lastRejection { note += (note.isEmpty ? "" : "; ") + "last rejected: \(reason)" }
        row = [
            id, device?.room ?? bridge?.room ?? "-", onlineText,
            state?.battery.map { "\($0)%\(state?.lowBattery == true ? " low" : "")" } ?? "-",
            state?.lastSeen.map { RFC3339.string(from: $0, in: zone) } ?? "never",
            String(state?.rejected ?? 0), alarms.map { "\($0.id) \($0.kind)" }.joined(separator: ", "), note,
        ]
    }

    private static func profile(of bridge: Bridge?) -> String? {
        guard case .receiver(let profile, _) = bridge?.kind else { return bridge.map { _ in "zigbee2mqtt" } }
        return profile
    }

    private static func link(device: Device?, bridge: Bridge?) -> String? {
        if let bridge {
            switch bridge.kind {
            case .zigbee2mqtt(let base): return "mqtt:\(base)"
            case .receiver(_, let port): return "serial:\(port)"
            }
        }
        switch device?.link {
        case .mqtt(let topic): return "mqtt:\(topic)"
        case .serial(let port): return "serial:\(port)"
        case .contactID(let receiver, let account, let zone):
            return "contact-id:\(receiver) account \(account)" + (zone.map { " zone \($0)" } ?? "")
        case nil: return nil
        }
    }
}
