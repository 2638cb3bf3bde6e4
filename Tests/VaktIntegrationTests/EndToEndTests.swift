import Foundation
import Testing
import VaktTesting

/// The spine through the real executable: a real broker, a real webhook receiver, the hub as
/// its own process, and the CLI as operators and staff use it.
@Suite(.serialized)
struct EndToEndTests {
    @Test func fallReachesStaffIsAcknowledgedThroughTheBrokerAndAudited() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, receiver, site, hub) = running.parts
        let snapshots = try subscribe(broker, "vakt/marker/alarms/+")
        defer { snapshots.stop() }

        try publish(broker, "zigbee2mqtt/room104/fall", Payloads.heimanFallAlarm)
        try snapshots.waitForLine(containing: "vakt/marker/alarms/A1")

        let open = try alarms(data: site.dataPath)
        #expect(open.count == 1)
        let alarm = try #require(open.first)
        #expect(alarm["id"] as? String == "A1")
        #expect(alarm["kind"] as? String == "fall")
        #expect(alarm["severity"] as? String == "critical")
        #expect(alarm["state"] as? String == "raised")
        #expect(alarm["room"] as? String == "104")
        #expect(alarm["device"] as? String == "room104-fall")
        #expect(alarm["tier"] as? Int == 0)
        #expect(alarm["resident"] is String)
        #expect(alarm["acknowledged_at"] is NSNull)
        let raisedAt = try #require(alarm["raised_at"] as? String)
        #expect(raisedAt.hasSuffix("+01:00") || raisedAt.hasSuffix("+02:00"), "RFC 3339 in Europe/Oslo: \(raisedAt)")

        // Tier 0: the night staff on duty, each through the webhook.
        let requests = try receiver.waitForRequests(count: 2)
        let recipients = Set(requests.compactMap { ($0["recipient"] as? [String: Any])?["id"] as? String })
        #expect(recipients == ["ns1", "ns2"])
        for request in requests {
            #expect((request["alarm"] as? [String: Any])?["id"] as? String == "A1")
            #expect((request["idempotency_key"] as? String)?.isEmpty == false)
        }

        let ack = try VaktCLI.run(["ack", "A1", "--as", "ns1", "--config", site.configPath, "--broker", broker.url])
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(ack.stdout.contains("A1"))
        let second = try VaktCLI.run(["ack", "A1", "--as", "ns2", "--config", site.configPath, "--broker", broker.url])
        #expect(second.status == 1)
        #expect(second.stderr.contains("ns1"), "the refusal names who has it: \(second.stderr)")

        let after = try #require(try alarms(data: site.dataPath).first)
        #expect(after["state"] as? String == "acknowledged")
        #expect(after["acknowledged_by"] as? String == "ns1")
        #expect(after["acknowledged_at"] is String)

        let resolve = try VaktCLI.run([
            "resolve", "A1", "--as", "ns1", "--outcome", "assisted", "--note", "Helped up, no injury",
            "--config", site.configPath, "--broker", broker.url,
        ])
        #expect(resolve.status == 0, "\(resolve.stderr)")
        #expect(try alarms(data: site.dataPath).isEmpty)
        let all = try alarms(data: site.dataPath, all: true)
        #expect(all.first?["state"] as? String == "resolved")
        #expect(all.first?["resolved_at"] is String)

        let verify = try VaktCLI.run(["audit", "verify", "--data", site.dataPath])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("intact"))

        #expect(hub.stop() == 0, "graceful shutdown exits 0")

        let export = try VaktCLI.run(["audit", "export", "--data", site.dataPath, "--format", "jsonl"])
        let actions = export.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["action"] as? String
        }
        for expected in [
            "alarm.raised", "notification.queued", "notification.delivered", "alarm.acknowledged", "command.rejected",
            "alarm.resolved",
        ] {
            #expect(actions.contains(expected), "audit has \(expected)")
        }
        #expect(actions.first == "hub.started")
        #expect(actions.last == "hub.stopped", "a clean stop is on record")

        // The municipality can check the chain without Vakt: the script in docs/operations.md.
        let scratch = try TemporaryDirectory(prefix: "vakt-verify")
        defer { scratch.remove() }
        let exportFile = scratch.appending("audit.jsonl")
        try export.stdout.write(to: exportFile, atomically: true, encoding: .utf8)
        let script = try independentVerifier()
        let verifier = try ChildProcess("/usr/bin/python3", ["-c", script, exportFile.path])
        #expect(verifier.wait() == 0, "\(verifier.output)")
        #expect(verifier.output.last?.contains("\(actions.count) records, chain intact") == true, "\(verifier.output)")

        // A record changed in the export breaks it at that record.
        let tampered = export.stdout.replacingOccurrences(of: "Helped up, no injury", with: "Helped up, injury")
        #expect(tampered != export.stdout)
        try tampered.write(to: exportFile, atomically: true, encoding: .utf8)
        let caught = try ChildProcess("/usr/bin/python3", ["-c", script, exportFile.path])
        #expect(caught.wait() != 0)
        #expect(caught.output.joined().contains("does not match the chain"), "\(caught.output)")
    }

    @Test func ackWithoutABrokerExitsThree() throws {
        let site = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/vakt")
        defer { site.remove() }
        let port = try freeTCPPort()
        let result = try VaktCLI.run([
            "ack", "A1", "--as", "ns1", "--config", site.configPath, "--broker", "mqtt://127.0.0.1:\(port)",
            "--timeout", "2",
        ])
        #expect(result.status == 3, "\(result.stderr)")
    }

    @Test func usageErrorsExitTwo() throws {
        let result = try VaktCLI.run(["alarms", "--bogus"])
        #expect(result.status == 2)
        let missing = try VaktCLI.run(["ack"])
        #expect(missing.status == 2)
    }

    @Test func checkPrintsASummaryOrEveryErrorWithItsPosition() throws {
        let good = try VaktCLI.run(["check", "--config", RepositoryPaths.demoConfig.path])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("Marker bo- og servicesenter"))

        let site = try DemoSiteCopy(
            webhookURL: "http://127.0.0.1:9/vakt",
            edits: ["devices.yaml": [("room: \"105\"", "room: \"999\"")]])
        defer { site.remove() }
        let bad = try VaktCLI.run(["check", "--config", site.configPath])
        #expect(bad.status == 1)
        let lines = bad.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.contains { $0.range(of: #"devices\.yaml:\d+:\d+: .*999"#, options: .regularExpression) != nil },
            "\(lines)")
    }

    /// The Python verification script from docs/operations.md, exactly as documented.
    private func independentVerifier() throws -> String {
        let guide = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        guard let start = guide.range(of: "```python\n"),
            let end = guide.range(of: "```", range: start.upperBound..<guide.endIndex)
        else { throw TestSupportError("docs/operations.md has no python block") }
        return String(guide[start.upperBound..<end.lowerBound])
    }
}
