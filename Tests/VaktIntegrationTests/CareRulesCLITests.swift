import Foundation
import Testing
import VaktTesting

/// Silences, reopening, the roster and replay from the command line, on a real hub, broker
/// and database.
@Suite(.serialized)
struct CareRulesCLITests {
    /// The audit as JSON lines, parsed.
    func audit(_ site: DemoSiteCopy) throws -> [[String: Any]] {
        let result = try VaktCLI.run(["audit", "export", "--data", site.dataPath, "--format", "jsonl"])
        return result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func silenceRefusedForNightStaffThenSetEndedAndAudited() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, _) = running.parts
        let cli = ["--config", site.configPath, "--broker", broker.url]
        let silence = ["silence", "add", "--resident", "r-0a7f", "--for", "3d", "--reason", "sykehusinnleggelse"]

        let refused = try VaktCLI.run(silence + ["--as", "ns1"] + cli)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("ns1 (night-staff) may not set silences"), "\(refused.stderr)")

        let set = try VaktCLI.run(silence + ["--as", "sp1"] + cli)
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("resident r-0a7f silenced until"))
        let list = try VaktCLI.run(["silence", "list", "--data", site.dataPath, "--json"])
        let silences = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(silences.count == 1)
        let id = try #require(silences.first?["id"] as? String)
        #expect(silences.first?["by"] as? String == "sp1")

        // An SOS from the silenced resident's room raises nothing, on record; another room's does.
        try publish(broker, "zigbee2mqtt/room106/sos", Payloads.sosPress)
        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        let raised = try waitForAlarm(site) { $0["room"] as? String == "105" }
        #expect(raised["kind"] as? String == "sos")
        #expect(try alarms(data: site.dataPath).allSatisfy { $0["room"] as? String != "106" })
        let records = try audit(site)
        let suppressed = try #require(records.first { $0["action"] as? String == "alarm.suppressed" })
        let detail = try #require(suppressed["detail"] as? [String: Any])
        #expect(detail["silence"] as? String == id)
        #expect(detail["resident"] as? String == "r-0a7f")
        #expect(
            records.contains { $0["action"] as? String == "silence.started" && $0["actor"] as? String == "staff:sp1" })
        #expect(
            records.contains { $0["action"] as? String == "command.rejected" && $0["actor"] as? String == "staff:ns1" })

        let end = try VaktCLI.run(["silence", "end", id, "--as", "sp1"] + cli)
        #expect(end.status == 0, "\(end.stderr)")
        #expect(try VaktCLI.run(["silence", "list", "--data", site.dataPath]).stdout.contains("No silences."))
        try publish(broker, "zigbee2mqtt/room106/sos", Payloads.sosPress)
        _ = try waitForAlarm(site) { $0["room"] as? String == "106" }
    }

    @Test func reopenAndReplay() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, _) = running.parts
        let cli = ["--config", site.configPath, "--broker", broker.url]
        let since = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))

        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        let sos = try waitForAlarm(site) { $0["kind"] as? String == "sos" }
        let id = try #require(sos["id"] as? String)
        #expect(try VaktCLI.run(["resolve", id, "--outcome", "accidental", "--as", "ns1"] + cli).status == 0)
        let unknown = try VaktCLI.run(["resolve", id, "--outcome", "whatever", "--as", "ns1"] + cli)
        #expect(unknown.status == 2 && unknown.stderr.contains("use one of: assisted, false-alarm"))
        let reopen = try VaktCLI.run(["reopen", id, "--as", "sp1", "--note", "hun trykket igjen"] + cli)
        #expect(reopen.status == 0, "\(reopen.stderr)")
        #expect(reopen.stdout.contains("\(id) reopened"))
        let open = try alarms(data: site.dataPath)
        #expect(open.first { $0["id"] as? String == id }?["state"] as? String == "raised")
        #expect(try VaktCLI.run(["ack", id, "--as", "ns1"] + cli).status == 0)

        // The same night through a proposed config where an SOS is only high: changed, exit 1.
        let proposed = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/x")
        defer { proposed.remove() }
        let escalation = proposed.configPath + "/escalation.yaml"
        let text = try String(contentsOfFile: escalation, encoding: .utf8)
        try text.replacingOccurrences(
            of: "  - id: sos\n    events: [sos]\n    alarm: sos\n    severity: critical",
            with: "  - id: sos\n    events: [sos]\n    alarm: sos\n    severity: high"
        ).write(toFile: escalation, atomically: true, encoding: .utf8)
        let replay = try VaktCLI.run([
            "replay", "--config", proposed.configPath, "--data", site.dataPath, "--since", since, "--json",
        ])
        #expect(replay.status == 1, "\(replay.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["alarms"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["change"] as? String == "changed")
        #expect(rows.first?["stored"] as? String == id)
        #expect(rows.first?["before"] as? String == "sos critical (standard)")
        #expect(rows.first?["after"] as? String == "sos high (standard)")
        #expect((report["commands"] as? Int ?? 0) >= 3)

        // Through its own config nothing changes: exit 0.
        let same = try VaktCLI.run(["replay", "--config", site.configPath, "--data", site.dataPath, "--since", since])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("same 1, changed 0, dropped 0, new 0"))
    }

    @Test func rosterAndCheckSayWhoAndWhat() throws {
        let site = try DemoSiteCopy(
            webhookURL: "http://127.0.0.1:9/x",
            edits: [
                "staff.yaml": [
                    (
                        "groups:",
                        """
                        roster:
                          shifts:
                            - { id: day, name: Dag, from: "07:00", to: "15:00" }
                            - { id: night, name: Natt, from: "22:00", to: "07:00" }
                          assignments:
                            - { shift: night, staff: [ns1, ns2] }
                            - { shift: night, dates: [2026-12-24], staff: [ns3] }
                            - { shift: day, staff: [sp1] }

                        groups:
                        """
                    )
                ]
            ])
        defer { site.remove() }
        let christmas = try VaktCLI.run([
            "roster", "--config", site.configPath, "--at", "2026-12-25T02:00:00+01:00", "--json",
        ])
        #expect(christmas.status == 0, "\(christmas.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(christmas.stdout.utf8)) as? [String: Any])
        #expect((object["on_duty"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["ns3"])
        let shift = try #require((object["shifts"] as? [[String: Any]])?.first)
        #expect(shift["start"] as? String == "2026-12-24T22:00:00+01:00")
        #expect(shift["end"] as? String == "2026-12-25T07:00:00+01:00")
        let evening = try VaktCLI.run(["roster", "--config", site.configPath, "--at", "2026-12-25T18:00:00+01:00"])
        #expect(evening.stdout.contains("NOBODY is on duty"))

        let check = try VaktCLI.run(["check", "--config", site.configPath, "--rules"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("roster of 2 shifts"))
        #expect(check.stdout.contains("- sos: on sos (any device): a critical 'sos' alarm, policy standard."))
        #expect(check.stdout.contains("Residents with their own version: r-9a07 severity high."))
    }
}
