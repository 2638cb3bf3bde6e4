import Foundation
import Testing
import VaktStore
import VaktTesting

/// The dashboard as night staff use it: in a real terminal (tmux), against a real broker
/// and the hub, two staff members at two screens.
@Suite(.serialized)
struct DashboardTmuxTests {
    @Test func aBrokerOutageShowsOnTheScreenAndPassesWithoutARestart() throws {
        let running = try RunningHub(persistent: true)
        defer { running.close() }
        let (broker, _, site, hub) = running.parts
        let screen = try TmuxSession([
            RepositoryPaths.vaktBinary, "dashboard", "--config", site.configPath, "--as", "ns1", "--broker",
            broker.url,
        ])
        defer { screen.kill() }
        try screen.waitForScreen(containing: "Huben kjører")

        broker.stop()
        try screen.waitForScreen(containing: "INGEN FORBINDELSE TIL MEGLEREN")
        try broker.start()
        // Both reconnect by themselves; the screen is live again: a new alarm shows.
        try screen.waitForScreen(without: "INGEN FORBINDELSE TIL MEGLEREN")
        try hub.waitForLine(containing: "session resumed")
        try publish(broker, "zigbee2mqtt/room104/fall", Payloads.heimanFallAlarm)
        let row = try #require(try screen.waitForScreen(containing: "UBESVART").first { $0.contains("UBESVART") })
        #expect(row.contains("104"))
        try screen.waitForScreen(containing: "Huben kjører")
    }

    @Test func twoStaffAtTwoScreensAcknowledgeResolveAndStayInStep() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, hub) = running.parts

        func dashboard(_ staff: String) throws -> TmuxSession {
            try TmuxSession([
                RepositoryPaths.vaktBinary, "dashboard", "--config", site.configPath, "--as", staff, "--broker",
                broker.url,
            ])
        }
        let nora = try dashboard("ns1")
        defer { nora.kill() }
        let jonas = try dashboard("ns2")
        defer { jonas.kill() }
        try nora.waitForScreen(containing: "Ingen åpne alarmer")
        try nora.waitForScreen(containing: "Huben kjører")
        // It follows the window's size, and says when the window is too small.
        try nora.resize(width: 70, height: 20)
        try nora.waitForScreen(containing: "Vinduet er for lite")
        try nora.resize(width: 100, height: 30)
        try nora.waitForScreen(without: "Vinduet er for lite")
        try jonas.waitForScreen(containing: "Ingen åpne alarmer")

        try publish(broker, "zigbee2mqtt/room104/fall", Payloads.heimanFallAlarm)
        let screen = try nora.waitForScreen(containing: "UBESVART")
        let row = try #require(screen.first { $0.contains("UBESVART") })
        #expect(row.contains("KRITISK"))
        #expect(row.contains("104"))
        #expect(row.contains("Fall"))
        try nora.waitForScreen(containing: "Varslet: Nora (nattevakt), Jonas (nattevakt)")
        try jonas.waitForScreen(containing: "UBESVART")

        // Nora takes it; both screens show that she has it.
        try nora.press("a")
        try nora.waitForScreen(containing: "A1 er kvittert – du har den")
        try jonas.waitForScreen(containing: "kvittert Nora")
        let acknowledged = try #require(try alarms(data: site.dataPath).first)
        #expect(acknowledged["acknowledged_by"] as? String == "ns1")

        // Jonas tries too and is told who has it.
        try jonas.press("a")
        try jonas.waitForScreen(containing: "Avvist: A1 er allerede kvittert av Nora")

        // The timeline comes from the hub's audit.
        try nora.press("t")
        try nora.waitForScreen(containing: "Tidslinje for A1")
        try nora.waitForScreen(containing: "alarm.acknowledged")
        try nora.press("Escape")

        // Nora resolves: an outcome, a note with Norwegian letters.
        try nora.press("r")
        try nora.waitForScreen(containing: "velg utfall")
        try nora.press("Enter")
        try nora.type("Hjulpet opp, ingen skade. Pårørende ringt.")
        try nora.press("Enter")
        try nora.waitForScreen(containing: "A1 er avsluttet")
        try nora.waitForScreen(containing: "Ingen åpne alarmer")
        try jonas.waitForScreen(containing: "Ingen åpne alarmer")

        let all = try alarms(data: site.dataPath, all: true)
        #expect(all.first?["state"] as? String == "resolved")
        #expect(all.first?["outcome"] as? String == "assisted")
        #expect(all.first?["note"] as? String == "Hjulpet opp, ingen skade. Pårørende ringt.")
        let actions = try Store(directory: site.dataPath).timeline(alarm: "A1").map { "\($0.action) \($0.actor)" }
        #expect(actions.contains("alarm.acknowledged staff:ns1"))
        #expect(actions.contains("command.rejected staff:ns2"))
        #expect(actions.contains("alarm.resolved staff:ns1"))

        // The hub going away is a banner, not a silent screen.
        #expect(hub.stop() == 0)
        try nora.waitForScreen(containing: "HUBEN SVARER IKKE")

        try nora.press("q")
        for _ in 0..<100 where nora.programIsRunning { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!nora.programIsRunning, "q quits")
    }

    @Test func withoutATerminalItPrintsTheScreenOnce() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, hub) = running.parts
        try publish(broker, "zigbee2mqtt/room106/sos", Payloads.sosPress)
        try hub.waitForLine(containing: "alarm A1 raised")

        let result = try VaktCLI.run([
            "dashboard", "--config", site.configPath, "--as", "ns2", "--broker", broker.url,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("printing the screen once"))
        let row = try #require(result.stdout.split(separator: "\n").first { $0.contains("Trygghetsknapp") })
        #expect(row.contains("106"))
        #expect(row.contains("UBESVART"))
        #expect(result.stdout.contains("Huben kjører"))

        let unknown = try VaktCLI.run([
            "dashboard", "--config", site.configPath, "--as", "nobody", "--broker", broker.url,
        ])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no staff member 'nobody'"))
    }
}
