import Foundation
import Testing
import VaktTesting

/// `vakt proof` on a real hub: an answered alarm proves its device's chain; devices never
/// proven come first.
@Suite(.serialized)
struct ProofCLITests {
    @Test func anAnsweredAlarmProvesItsDeviceAndTheWorstComeFirst() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, _) = running.parts

        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        let alarm = try waitForAlarm(site) { $0["kind"] as? String == "sos" }
        let id = try #require(alarm["id"] as? String)
        let ack = try VaktCLI.run(["ack", id, "--as", "ns1", "--config", site.configPath, "--broker", broker.url])
        #expect(ack.status == 0, "\(ack.stderr)")

        let result = try VaktCLI.run(["proof", "--config", site.configPath, "--data", site.dataPath, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let devices = try #require(object["devices"] as? [[String: Any]])
        let sos = try #require(devices.first { $0["id"] as? String == "room105-sos" })
        #expect(sos["chain_proof"] as? String == "\(id) (sos) answered by ns1")
        #expect(sos["chain_proof_kind"] as? String == "alarm")
        #expect(sos["max_age_days"] as? Double == 30)
        #expect(sos["expired"] as? Bool == false)
        #expect((sos["chain_age_days"] as? Double).map { $0 < 0.01 } == true)
        // Worst first: every never-proven device before the one just proven.
        #expect(devices.last?["id"] as? String == "room105-sos")
        #expect(devices.first?["chain_proven_at"] is NSNull)
        let fall = try #require(devices.first { $0["id"] as? String == "room104-fall" })
        #expect(fall["max_age_days"] as? Double == 7)

        let residents = try #require(object["residents"] as? [[String: Any]])
        let room105 = try #require(residents.first { $0["room"] as? String == "105" })
        // The resident's proof is their worst device: the door and fall sensor are unproven.
        #expect(room105["chain_proven_at"] is NSNull)
        #expect(["room105-door", "room105-fall"].contains(room105["worst_device"] as? String ?? ""))

        let table = try VaktCLI.run(["proof", "--config", site.configPath, "--data", site.dataPath])
        #expect(table.stdout.contains("Devices, worst first:"))
        #expect(table.stdout.contains("answered by ns1"))
    }

    /// `vakt test start`, a real button press, the test recipient alone notified, the answer
    /// proving the chain as a test and ending the room's test mode.
    @Test func aChainTestFromTheCommandLine() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, receiver, site, _) = running.parts
        let cli = ["--config", site.configPath, "--broker", broker.url]

        let start = try VaktCLI.run(["test", "start", "--room", "105", "--as", "ns1", "--for", "15m"] + cli)
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("room 105 is in test mode until"))

        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        let alarm = try waitForAlarm(site) { $0["kind"] as? String == "sos" }
        #expect(alarm["test"] as? Bool == true)
        #expect(alarm["policy"] as? String == "technical")
        let notice = try #require(try receiver.waitForRequests(count: 1).first)
        #expect((notice["recipient"] as? [String: Any])?["id"] as? String == "op1")
        #expect((notice["title"] as? String)?.hasPrefix("TEST – ") == true)

        let id = try #require(alarm["id"] as? String)
        #expect(try VaktCLI.run(["ack", id, "--as", "ns1"] + cli).status == 0)
        let proof = try VaktCLI.run(["proof", "--config", site.configPath, "--data", site.dataPath])
        #expect(proof.stdout.contains("\(id) (sos, test) answered by ns1"))

        // Answering the test ended the room's test mode: nothing left to end.
        let end = try VaktCLI.run(["test", "end", "--room", "105", "--as", "ns1"] + cli)
        #expect(end.status == 1)
        #expect(end.stderr.contains("not in test mode"))
        let audit = try VaktCLI.run(["audit", "export", "--data", site.dataPath, "--format", "jsonl"])
        #expect(audit.stdout.contains("test.started") && audit.stdout.contains("test.ended"))
        #expect(audit.stdout.contains("test \(id) answered"))
    }
}
