import Foundation
import Testing
import VaktTesting

/// The audit tools on a real hub's store: what the hub records about itself, the checkpoint
/// it leaves, `vakt audit verify` catching a cut tail, backup while the hub writes, restore,
/// and the report.
@Suite(.serialized)
struct AuditCLITests {
    /// Runs python3 with `code` (sqlite3 stands in for someone editing the file by hand).
    private func python(_ code: String) throws {
        let child = try ChildProcess("/usr/bin/python3", ["-c", code])
        let status = child.wait()
        guard status == 0 else { throw TestSupportError("python3 exited \(status): \(child.output)") }
    }

    private func exportedRecords(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try VaktCLI.run(["audit", "export", "--format", "jsonl"] + arguments)
        guard result.status == 0 else { throw TestSupportError("vakt audit export: \(result.stderr)") }
        return try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func theHubRecordsItselfLeavesACheckpointAndACutTailIsCaught() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, hub) = running.parts

        // One hub per data directory.
        let second = try VaktCLI.run([
            "run", "--config", site.configPath, "--broker", broker.url, "--data", site.dataPath,
        ])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another Vakt hub (pid"), "\(second.stderr)")

        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        let alarm = try waitForAlarm(site) { $0["kind"] as? String == "sos" }
        let id = try #require(alarm["id"] as? String)
        #expect(hub.stop() == 0)

        let records = try exportedRecords(["--data", site.dataPath])
        let actions = records.compactMap { $0["action"] as? String }
        #expect(actions.prefix(2) == ["hub.started", "config.loaded"])
        #expect(actions.last == "hub.stopped")
        let loaded = try #require(records.first { $0["action"] as? String == "config.loaded" })
        let digest = (loaded["detail"] as? [String: String])?["config_sha256"] ?? ""
        #expect(digest.count == 64 && digest.allSatisfy(\.isHexDigit))
        // `vakt check` names the same digest for the same files.
        let check = try VaktCLI.run(["check", "--config", site.configPath])
        #expect(check.stdout.contains("config sha256: \(digest)"), "\(check.stdout)")

        // The hub wrote the head down when it stopped.
        let checkpointFile = site.dataPath + "/audit-checkpoint.json"
        let checkpoint = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpointFile)))
                as? [String: Any])
        #expect(checkpoint["seq"] as? Int == records.count)
        #expect(checkpoint["hash"] as? String == records.last?["hash"] as? String)
        let verified = try VaktCLI.run(["audit", "verify", "--data", site.dataPath])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("checked against the checkpoint"))

        // `audit show` is the alarm's timeline.
        let show = try VaktCLI.run(["audit", "show", id, "--data", site.dataPath])
        #expect(show.status == 0)
        #expect(show.stdout.contains("alarm.raised"))

        // Someone removes the last two records with sqlite: the rest chains, the checkpoint
        // says what is missing.
        try python(
            """
            import sqlite3
            db = sqlite3.connect('\(site.dataPath)/vakt.sqlite')
            db.execute('DROP TRIGGER audit_no_delete')
            db.execute('DELETE FROM audit WHERE seq > (SELECT MAX(seq) - 2 FROM audit)')
            db.commit()
            """)
        let broken = try VaktCLI.run(["audit", "verify", "--data", site.dataPath])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("were cut off the end"), "\(broken.stdout)")
    }

    @Test func theDataDirectoryIsPrivateAndAWorldReadableOneIsWarnedAbout() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let site = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/vakt")
        defer { site.remove() }
        // Created by the hub: owner and group only.
        let first = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        #expect(first.stop() == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: site.dataPath)[.posixPermissions] as? Int
        #expect(mode == 0o750)
        #expect(!first.output.joined().contains("can be read by other users"))
        // Opened up by hand: the hub says so, with the fix, and runs.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: site.dataPath)
        let second = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        defer { second.stop() }
        let line = try second.waitForLine(containing: "can be read by other users")
        #expect(line.contains("chmod 750 \(site.dataPath)"))
    }

    @Test func aBackupTakenWhileTheHubWritesRestoresToAStoreThatVerifies() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, _) = running.parts
        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        _ = try waitForAlarm(site) { $0["kind"] as? String == "sos" }

        // 1,500 more presses join the alarm, each an audit record, while the backup runs.
        let stream = try ChildProcess(
            "/bin/sh",
            [
                "-c",
                "for i in $(seq 1 1500); do echo '\(Payloads.sosPress)'; done | /usr/bin/mosquitto_pub -l -q 1 -h 127.0.0.1 -p \(broker.port) -t zigbee2mqtt/room105/sos",
            ])
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = scratch.appending("vakt-backup.sqlite").path
        let backup = try VaktCLI.run(["backup", "--data", site.dataPath, "--to", file])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("the backup's audit chain verifies"))
        #expect(stream.wait() == 0)

        // Restoring under the running hub is refused.
        let refused = try VaktCLI.run(["restore", "--from", file, "--data", site.dataPath])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("another Vakt hub"), "\(refused.stderr)")

        let target = scratch.appending("restored").path
        let restore = try VaktCLI.run(["restore", "--from", file, "--data", target])
        #expect(restore.status == 0, "\(restore.stderr)")
        let verify = try VaktCLI.run(["audit", "verify", "--data", target])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("checked against the checkpoint"))
        let restored = try exportedRecords(["--data", target])
        #expect(restored.last?["action"] as? String == "store.restored")
        #expect(restored.contains { $0["action"] as? String == "alarm.raised" })
    }

    @Test func theReportCountsTheRealAlarmAndLeavesTheTestOut() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, _) = running.parts
        let cli = ["--config", site.configPath, "--broker", broker.url]

        // A chain test in room 105, answered, and a real alarm in room 101, answered.
        #expect(try VaktCLI.run(["test", "start", "--room", "105", "--as", "ns1"] + cli).status == 0)
        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        let test = try waitForAlarm(site) { $0["kind"] as? String == "sos" && $0["test"] as? Bool == true }
        #expect(try VaktCLI.run(["ack", try #require(test["id"] as? String), "--as", "ns1"] + cli).status == 0)
        try publish(broker, "zigbee2mqtt/room101/sos", Payloads.sosPress)
        let real = try waitForAlarm(site) { $0["room"] as? String == "101" }
        #expect(try VaktCLI.run(["ack", try #require(real["id"] as? String), "--as", "ns1"] + cli).status == 0)
        _ = try waitForAlarm(site) { $0["room"] as? String == "101" && $0["state"] as? String == "acknowledged" }

        // An hour either side of now: no flakiness around midnight.
        let formatter = ISO8601DateFormatter()
        let from = formatter.string(from: Date().addingTimeInterval(-3600))
        let to = formatter.string(from: Date().addingTimeInterval(3600))
        let arguments = ["report", "--config", site.configPath, "--data", site.dataPath, "--from", from, "--to", to]
        let csv = try VaktCLI.run(arguments + ["--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.contains("overall,all,alarms,1\r\n"), "\(csv.stdout)")
        #expect(csv.stdout.contains("overall,all,acknowledged,1\r\n"))
        #expect(csv.stdout.contains("tests,all,raised,1\r\n"))
        #expect(csv.stdout.contains("tests,all,answered,1\r\n"))
        let markdown = try VaktCLI.run(arguments)
        #expect(markdown.stdout.contains("# Responsrapport: "))
        let english = try VaktCLI.run(arguments + ["--language", "en"])
        #expect(english.stdout.contains("# Response report: "))
        #expect(markdown.stdout.contains("| room105-sos |"))
        let html = scratchFile("report.html")
        defer { try? FileManager.default.removeItem(atPath: html) }
        let written = try VaktCLI.run(arguments + ["--format", "html", "--output", html])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<svg"))

        let bad = try VaktCLI.run(["report", "--config", site.configPath, "--from", "yesterday"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--from: 'yesterday' is neither a date"))
    }

    private func scratchFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vakt-\(UUID().uuidString)-\(name)").path
    }
}
