import Foundation
import Logging
import ServiceLifecycle
import VaktCore
import VaktNotify
import VaktRuntime
import VaktStore

/// Notification delivery: the hub's outbox, dispatcher and webhook channel (libcurl) against a
/// local receiver (`scripts/webhook-receiver`), with every attempt committed to a real store.
/// Two runs: a burst (every notification queued at once: how many per second go out) and a
/// steady pace (alarms at a fixed rate: how long from the outbox to delivered, p50 and p99).
enum NotifyBench {
    static func run() async throws {
        let arguments = CommandLine.arguments
        guard let index = arguments.firstIndex(of: "--receiver"), index + 1 < arguments.count else {
            FileHandle.standardError.write(
                Data("usage: vakt-bench notify --receiver PATH [--notifications N] [--paced N]\n".utf8))
            exit(2)
        }
        let receiver = try Receiver(script: arguments[index + 1])
        defer { receiver.stop() }
        let burst = try await measure(
            receiver: receiver.url, alarms: argument("--notifications", default: 2000) / 10, pace: nil)
        let paced = try await measure(receiver: receiver.url, alarms: argument("--paced", default: 200), pace: 0.05)
        let result: [String: Any] = [
            "burst_notifications": burst.count, "burst_per_s": burst.perSecond,
            "paced_notifications": paced.count, "paced_alarms_per_s": 20,
            "outbox_to_delivered_p50_ms": paced.p50, "outbox_to_delivered_p99_ms": paced.p99,
            "outbox_to_delivered_max_ms": paced.max,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// A site of 10 staff on one webhook channel; every SOS notifies all of them.
    static func site(receiver: String) -> Site {
        let rooms = (1...50).map { Room(id: "\($0)", name: "Rom \($0)") }
        return Site(
            id: "bench", name: "Bench", timeZone: TimeZone(identifier: "Europe/Oslo")!, rooms: rooms,
            staff: (1...10).map {
                Staff(id: "s\($0)", name: "Staff \($0)", role: .nightStaff, contacts: [Contact(channel: "hook")])
            },
            channels: [Channel(id: "hook", kind: .webhook, url: receiver, timeoutSeconds: 5, maxAttempts: 3)],
            policies: [
                Policy(
                    id: "p", tiers: [Tier(afterSeconds: 0, notify: [.role(.nightStaff, onDutyOnly: false)])],
                    repeatSeconds: 3600)
            ],
            rules: [Rule(id: "sos", events: [.sos], alarm: "sos", severity: .critical, policy: "p")],
            devices: rooms.map { Device(id: "d\($0.id)", profile: "bench/sos", room: $0.id, topic: "z2m/\($0.id)") })
    }

    static func measure(receiver: String, alarms: Int, pace: Double?) async throws -> (
        count: Int, perSecond: Int, p50: Double, p99: Double, max: Double
    ) {
        let directory = NSTemporaryDirectory() + "vakt-bench-notify-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let site = site(receiver: receiver)
        let store = try Store(directory: directory)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let hub = try Hub(site: site, store: store, clock: SystemClock(), logger: logger)
        let notifiers = ["hook": try NotifierFactory.make(channel: site.channels[0], secrets: SecretResolver())]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: Dispatcher(hub: hub, notifiers: notifiers))], logger: logger))
        let task = Task { try await group.run() }
        let expected = alarms * 10
        let start = Date()
        for n in 0..<alarms {
            // Each alarm its own room, so none joins another.
            let device = "d\(n % 50 + 1)"
            try hub.handle([.device(DeviceEvent(kind: .sos, device: device))])
            if n % 50 == 49 {
                // Resolve the open ones so the next round raises anew.
                for alarm in hub.openAlarms {
                    try hub.handle([
                        .command(
                            Command(
                                id: "r\(n)-\(alarm.id)", staff: "s1", action: .resolve, alarm: alarm.id,
                                outcome: "assisted"))
                    ])
                }
            }
            if let pace { try await Task.sleep(for: .seconds(pace)) }
        }
        var delivered: [String: Date] = [:]
        var queued: [String: Date] = [:]
        while delivered.count < expected {
            try await Task.sleep(for: .milliseconds(50))
            delivered = [:]
            queued = [:]
            try store.forEachAuditRecord(AuditFilter(actions: [.notificationQueued, .notificationDelivered])) {
                record in
                let key = "\(record.alarm ?? ""):\(record.recipient ?? "")"
                if record.action == AuditAction.notificationQueued.rawValue {
                    queued[key] = record.at
                } else {
                    delivered[key] = record.at
                }
            }
            if Date().timeIntervalSince(start) > 300 { break }
        }
        let elapsed = (delivered.values.max() ?? Date()).timeIntervalSince(start)
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        let latencies = delivered.compactMap { key, at in queued[key].map { at.timeIntervalSince($0) * 1000 } }.sorted()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return (latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 10).rounded() / 10
        }
        return (
            delivered.count, Int(Double(delivered.count) / max(elapsed, 0.001)), percentile(0.5), percentile(0.99),
            percentile(1)
        )
    }

    /// `scripts/webhook-receiver` on a free port, quiet.
    final class Receiver {
        let process = Process()
        let url: String

        init(script: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script, "--port", "0", "--log", "/dev/null"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            var buffer = Data()
            while !String(decoding: buffer, as: UTF8.self).contains("\n") {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            guard let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) else {
                process.terminate()
                throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "receiver: \(line)"])
            }
            url = "http://127.0.0.1:\(port)/vakt"
            // Drain its output so it never blocks on a full pipe.
            pipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
