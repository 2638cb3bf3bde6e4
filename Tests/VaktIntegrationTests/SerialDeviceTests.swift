import Foundation
import Testing
import VaktCore
import VaktDevices
import VaktTesting

/// The serial side end to end: a Sur-Gard receiver and a dispenser played on pseudo-terminals
/// at the ports the site names, the real hub reading them.
@Suite(.serialized)
struct SerialDeviceTests {
    /// Broker, webhook receiver, the demo site with its serial devices, pseudo-terminals at
    /// the receiver's and the dispenser's ports, and the hub.
    final class SerialSite {
        let broker: MosquittoBroker
        let webhooks: WebhookReceiver
        let site: DemoSiteCopy
        var receiver: PseudoTerminal
        let dispenser: PseudoTerminal
        let hub: ChildProcess
        var receiverPort: String { site.configPath + "/run/ttyVAKT-receiver" }

        init() throws {
            broker = try MosquittoBroker()
            webhooks = try WebhookReceiver()
            site = try DemoSiteCopy(webhookURL: webhooks.url, serial: true)
            try FileManager.default.createDirectory(
                atPath: site.configPath + "/run", withIntermediateDirectories: true)
            receiver = try PseudoTerminal()
            try receiver.link(at: site.configPath + "/run/ttyVAKT-receiver")
            dispenser = try PseudoTerminal()
            try dispenser.link(at: site.configPath + "/run/ttyVAKT-dispenser")
            hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
            try hub.waitForLine(containing: "serial port \(site.configPath)/run/ttyVAKT-receiver open")
            try hub.waitForLine(containing: "serial port \(site.configPath)/run/ttyVAKT-dispenser open")
        }

        func close() {
            _ = hub.stop()
            receiver.close()
            dispenser.close()
            site.remove()
            webhooks.stop()
            broker.stop()
        }

        /// Writes `bytes` and returns what the hub wrote back within `timeout`.
        func send(_ bytes: [UInt8], to terminal: PseudoTerminal, timeout: Double = 5) throws -> [UInt8] {
            try terminal.write(bytes)
            return terminal.read(timeout: timeout)
        }
    }

    static func mlr2(_ text: String) -> [UInt8] {
        guard let message = ContactIDDecoder.message(from: text) else { return [] }
        return LineEncoder.encode(.contactID(message), format: .surgardMLR2)
    }

    @Test func aPendantThroughTheReceiverRaisesAnAlarmAndIsAcknowledgedAfterItIsStored() throws {
        let serial = try SerialSite()
        defer { serial.close() }

        // The pendant in room 107 (account 1107) sends a personal emergency (101).
        let ack = try serial.send(Self.mlr2("1107 18 1101 01 001"), to: serial.receiver)
        #expect(ack == [0x06])
        let alarm = try waitForAlarm(serial.site) { $0["kind"] as? String == "sos" }
        #expect(alarm["room"] as? String == "107")
        #expect(alarm["resident"] as? String == "r-5d31")
        #expect(alarm["device"] as? String == "room107-alarm")
        let timeline = try VaktCLI.run([
            "timeline", try #require(alarm["id"] as? String), "--data", serial.site.dataPath,
        ])
        #expect(timeline.stdout.contains("1107"))

        // A heartbeat is acknowledged too, and counts as a sign of life.
        #expect(try serial.send(LineEncoder.encode(.heartbeat, format: .surgardMLR2), to: serial.receiver) == [0x06])

        // Line noise: not acknowledged (the receiver would resend), counted on the receiver.
        let noise = try serial.send(Array("\u{07}\u{07}#noise#".utf8) + [0x14], to: serial.receiver, timeout: 1)
        #expect(!noise.contains(0x06))
        // An account nobody configured: on record, so acknowledged, and counted with its reason.
        #expect(try serial.send(Self.mlr2("4321 18 1101 01 001"), to: serial.receiver) == [0x06])
        // The same message again at once: a resend (the receiver missed the ACK). Acknowledged,
        // not recorded twice.
        #expect(try serial.send(Self.mlr2("1107 18 1101 01 001"), to: serial.receiver) == [0x06])
        let again = try VaktCLI.run(["timeline", try #require(alarm["id"] as? String), "--data", serial.site.dataPath])
        #expect(!again.stdout.contains("alarm.joined"))

        let listing = try deviceList(serial.site)
        let receiver = try #require(listing.first { $0["id"] as? String == "receiver" })
        #expect(receiver["online"] as? Bool == true)
        #expect(receiver["rejected"] as? Int == 2)
        #expect((receiver["last_rejection"] as? String)?.contains("account 4321") == true)
        #expect(try alarms(data: serial.site.dataPath).count == 1)
        #expect(serial.hub.isRunning)
    }

    @Test func unpluggingTheReceiverRaisesOneAlarmAndPluggingItBackClearsIt() throws {
        let serial = try SerialSite()
        defer { serial.close() }
        #expect(try serial.send(Self.mlr2("1107 18 1602 00 000"), to: serial.receiver) == [0x06])

        serial.receiver.close()
        let alarm = try waitForAlarm(serial.site) { $0["kind"] as? String == "bridge-offline" }
        #expect(alarm["device"] as? String == "receiver")
        #expect(alarm["room"] as? String == "tech")

        serial.receiver = try PseudoTerminal()
        try serial.receiver.link(at: serial.receiverPort)
        _ = try waitForAlarm(serial.site, all: true) {
            $0["id"] as? String == alarm["id"] as? String && $0["state"] as? String == "resolved"
        }
        // Frames flow again on the new port.
        #expect(try serial.send(Self.mlr2("1107 18 1100 01 002"), to: serial.receiver) == [0x06])
        _ = try waitForAlarm(serial.site) { $0["kind"] as? String == "medical" }
        // One alarm for the receiver; the unit behind it raised nothing of its own.
        let kinds = try alarms(data: serial.site.dataPath, all: true).compactMap { $0["kind"] as? String }
        #expect(kinds.sorted() == ["bridge-offline", "medical"])
    }

    @Test func theDispenserReportsAMissedDoseOverItsLine() throws {
        let serial = try SerialSite()
        defer { serial.close() }
        let frame = LineEncoder.encode(
            .fields(["event": "dose_missed", "dose": "2026-11-27-0800", "scheduled": "2026-11-27T08:00:00+01:00"]),
            format: .vaktLine)
        let reply = String(decoding: try serial.send(frame, to: serial.dispenser), as: UTF8.self)
        #expect(reply.hasPrefix("$VAKT,ack*"))
        let alarm = try waitForAlarm(serial.site) { $0["kind"] as? String == "missed-dose" }
        #expect(alarm["room"] as? String == "108")
        let timeline = try VaktCLI.run([
            "timeline", try #require(alarm["id"] as? String), "--data", serial.site.dataPath,
        ])
        #expect(timeline.stdout.contains("2026-11-27-0800"))

        // A corrupted line is refused with the reason; the dispenser would resend it.
        let bad = Array("$VAKT,event=jammed*00\r\n".utf8)
        let nak = String(decoding: try serial.send(bad, to: serial.dispenser), as: UTF8.self)
        #expect(nak.hasPrefix("$VAKT,nak"))
        #expect(nak.contains("checksum"))
        let dispenser = try #require(try deviceList(serial.site).first { $0["id"] as? String == "room108-dispenser" })
        #expect(dispenser["rejected"] as? Int == 1)
    }

    /// `vakt simulate` stands in for the ports itself and waits for the hub's acknowledgements.
    @Test func vaktSimulatePlaysTheLegacyScenario() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let webhooks = try WebhookReceiver()
        defer { webhooks.stop() }
        let site = try DemoSiteCopy(webhookURL: webhooks.url, serial: true)
        defer { site.remove() }
        try FileManager.default.createDirectory(
            atPath: site.configPath + "/scenarios", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: RepositoryPaths.demoConfig.path + "/scenarios/legacy.yaml",
            toPath: site.configPath + "/scenarios/legacy.yaml")
        let hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        defer { _ = hub.stop() }
        let run = try VaktCLI.run(["simulate", "--config", site.configPath, "--broker", broker.url, "legacy"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("room107-alarm: Contact ID 1107 18 1101 01 001 (acknowledged)"))
        #expect(run.stdout.contains("(acknowledged)"))
        let kinds = try alarms(data: site.dataPath).compactMap { $0["kind"] as? String }
        #expect(kinds.contains("sos"))
        #expect(kinds.contains("missed-dose"))
    }
}

/// `vakt simulate` never takes over a path that is a real serial port.
@Suite struct SimulateSafetyTests {
    @Test func aRealPortIsNeverReplaced() throws {
        let site = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/vakt", serial: true)
        defer { site.remove() }
        try FileManager.default.createDirectory(atPath: site.configPath + "/run", withIntermediateDirectories: true)
        let port = site.configPath + "/run/ttyVAKT-receiver"
        try "not a pty".write(toFile: port, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(
            atPath: site.configPath + "/scenarios", withIntermediateDirectories: true)
        try "steps: []\n".write(toFile: site.configPath + "/scenarios/ports.yaml", atomically: true, encoding: .utf8)
        let run = try VaktCLI.run(["simulate", "--config", site.configPath, "ports"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("is not a simulated port"))
        #expect(try String(contentsOfFile: port, encoding: .utf8) == "not a pty")
    }
}

/// The other receiver formats end to end: a raw Contact ID DTMF line with a bad checksum is
/// rejected and counted on the receiver; an Ademco 685 line raises its alarm.
@Suite(.serialized)
struct ReceiverFormatTests {
    static func run(profile: String, _ body: (PseudoTerminal, DemoSiteCopy) throws -> Void) throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let webhooks = try WebhookReceiver()
        defer { webhooks.stop() }
        let site = try DemoSiteCopy(
            webhookURL: webhooks.url,
            edits: ["devices.yaml": [("profile: contactid/surgard-mlr2", "profile: \(profile)")]],
            serial: true)
        defer { site.remove() }
        try FileManager.default.createDirectory(atPath: site.configPath + "/run", withIntermediateDirectories: true)
        let receiver = try PseudoTerminal()
        defer { receiver.close() }
        try receiver.link(at: site.configPath + "/run/ttyVAKT-receiver")
        let dispenser = try PseudoTerminal()
        defer { dispenser.close() }
        try dispenser.link(at: site.configPath + "/run/ttyVAKT-dispenser")
        let hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        defer { _ = hub.stop() }
        try hub.waitForLine(containing: "serial port \(site.configPath)/run/ttyVAKT-receiver open")
        try body(receiver, site)
        #expect(hub.isRunning)
    }

    @Test func aBadContactIDChecksumIsRejectedAndCounted() throws {
        try Self.run(profile: "contactid/contact-id-dtmf") { receiver, site in
            // 1107 18 1101 01 001 with its checksum digit, then the same with one digit wrong.
            let good = "110718110101001" + String(ContactIDMessage.checksumDigit(for: "110718110101001") ?? "0")
            var bad = Array(good)
            bad[14] = bad[14] == "1" ? "2" : "1"
            try receiver.write(Array((String(bad) + "\r\n").utf8))
            let entry = try waitForDevice(site, "receiver") { $0["rejected"] as? Int == 1 }
            #expect(entry["rejected"] as? Int == 1)
            #expect((entry["last_rejection"] as? String)?.contains("bad Contact ID checksum") == true)
            #expect(try alarms(data: site.dataPath).isEmpty)
            try receiver.write(Array((good + "\r\n").utf8))
            let alarm = try waitForAlarm(site) { $0["kind"] as? String == "sos" }
            #expect(alarm["room"] as? String == "107")
        }
    }

    @Test func anAdemco685LineRaisesItsAlarm() throws {
        try Self.run(profile: "contactid/ademco-685") { receiver, site in
            guard let message = ContactIDDecoder.message(from: "1107 18 1100 01 002") else {
                Issue.record("the sample does not parse")
                return
            }
            try receiver.write(LineEncoder.encode(.contactID(message), format: .ademco685))
            let alarm = try waitForAlarm(site) { $0["kind"] as? String == "medical" }
            #expect(alarm["resident"] as? String == "r-5d31")
        }
    }
}
