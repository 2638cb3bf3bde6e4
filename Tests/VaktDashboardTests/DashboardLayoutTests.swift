import Foundation
import Testing
import VaktCore

@testable import VaktDashboard

/// What is on screen for a given state, size and instant, without a terminal.
@Suite struct DashboardLayoutTests {
    func frame(_ model: DashboardModel, width: Int = 80, height: Int = 24, at now: Date = Demo.t0 + 45) -> Frame {
        DashboardLayout.render(model, width: width, height: height, now: now)
    }

    func expectFits(_ frame: Frame) {
        #expect(frame.lines.count == frame.height)
        for line in frame.text { #expect(line.count <= frame.width, "too wide: \(line)") }
    }

    @Test func anEmptyNightSaysSoAndWhoIsOnDuty() {
        let screen = frame(Demo.model())
        expectFits(screen)
        #expect(screen.text[0].contains("Marker bo- og servicesenter (demo)"))
        #expect(screen.text[0].hasSuffix("Nora (nattevakt)  02:14:45 "), "the clock in the site's time zone")
        #expect(frame(Demo.model(), width: 120).text[0].hasSuffix("Innlogget: Nora (nattevakt) (ns1)  02:14:45 "))
        #expect(screen.text[1] == "Huben kjører")
        #expect(screen.text.contains("  Ingen åpne alarmer"))
        #expect(screen.text[20].hasPrefix("På vakt: Nora (nattevakt), Jonas (nattevakt)"))
        #expect(!screen.text[20].contains("Sara"), "off-duty staff are not listed")
        #expect(screen.text[23].hasPrefix("↑↓ velg  a kvitter"))
    }

    @Test func anAlarmRowAndItsDetails() throws {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103")))
        let screen = frame(model)
        expectFits(screen)
        #expect(screen.text[3].hasPrefix("VENTET  ALVOR     ROM   BEBOER"))
        let row = screen.text[4]
        #expect(row.hasPrefix("0:45    KRITISK   103   "), "\(row)")
        #expect(row.contains("Fall"))
        #expect(row.contains("UBESVART"))
        #expect(screen.lines[4].first?.style == .selected)
        let details = screen.text.joined(separator: "\n")
        #expect(details.contains("Varslet: Nora (nattevakt), Jonas (nattevakt)"))
        #expect(details.contains("Neste: trinn 2 kl. 02:16 (om 1:15) → Nora, Jonas, Sara, Lars"), "\(details)")
    }

    @Test func theLastTierReachesNextOfKinWhoConsented() throws {
        var model = Demo.model()
        var alarm = Demo.alarm(1, room: "103")
        alarm.tier = 1
        alarm.escalatesAt = Demo.t0 + 420
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(alarm))
        let consenting = try #require(Demo.site.resident(inRoom: "103")).nextOfKin.filter(\.consentNotify).count
        #expect(consenting > 0)
        let details = frame(model).text.joined(separator: "\n")
        #expect(
            details.contains("Neste: trinn 3 kl. 02:21 (om 6:15) → Nora, Jonas, Sara, Lars, pårørende (\(consenting))"),
            "\(details)")
    }

    @Test func whoHasTheAlarmShowsByName() {
        var model = Demo.model(staff: "ns2")
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103", state: .acknowledged)))
        let screen = frame(model)
        #expect(screen.text[4].contains("kvittert Nora"), "\(screen.text[4])")
        #expect(screen.text.contains("Eskalering stoppet"))
        #expect(screen.lines[4].first?.style == .selected)
    }

    @Test func unansweredAlarmsStandOutBySeverity() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103")))
        _ = model.receiveAlarm(id: "A2", payload: Demo.payload(Demo.alarm(2, room: "104", severity: .high)))
        _ = model.receiveAlarm(
            id: "A3", payload: Demo.payload(Demo.alarm(3, room: "105", state: .acknowledged, raisedAt: Demo.t0 - 600)))
        let screen = frame(model)
        // A3 is critical and waited longest; A1 is selected (first to arrive).
        #expect(screen.text[4].hasPrefix("10:45"))
        #expect(screen.lines[4].first?.style == .normal, "acknowledged: no alarm colour")
        #expect(screen.lines[5].first?.style == .selected)
        #expect(screen.lines[6].first?.style == .high)
    }

    @Test func theHubOrTheBrokerGoneIsABanner() {
        var model = Demo.model()
        model.receiveHubState(Array("offline".utf8))
        var screen = frame(model)
        #expect(screen.text[1].hasPrefix("HUBEN SVARER IKKE"))
        #expect(screen.lines[1].first?.style == .alert)
        model.brokerConnected = false
        screen = frame(model)
        #expect(screen.text[1].hasPrefix("INGEN FORBINDELSE TIL MEGLEREN"))
        #expect(screen.text[1].count == 80, "the banner spans the width")
    }

    @Test func aFailingChannelIsABannerUntilItDeliversAgain() {
        var model = Demo.model()
        model.receiveChannel(
            id: "webhook",
            payload: Array(#"{"reason":"HTTP 503","since":"2026-11-26T02:14:00+01:00","state":"failing"}"#.utf8))
        var screen = frame(model)
        #expect(screen.text[1].hasPrefix("VARSLING VIA webhook FEILER"))
        #expect(screen.lines[1].first?.style == .alert)
        model.receiveChannel(
            id: "webhook", payload: Array(#"{"reason":null,"since":"2026-11-26T02:15:00+01:00","state":"ok"}"#.utf8))
        screen = frame(model)
        #expect(screen.text[1] == "Huben kjører")
    }

    @Test func devicesOfflineOrLowOnBatteryAreNamed() {
        var model = Demo.model()
        #expect(
            frame(model).text[21]
                == "Enheter: ingen frakoblet eller med lavt batteri (0 av 25 har meldt seg)")
        // Watched but never heard (the hub publishes that too): not counted as reported.
        model.receiveDevice(
            id: "room102-sos",
            payload: Array(#"{"battery":null,"last_seen":null,"low_battery":false,"online":null}"#.utf8))
        model.receiveDevice(
            id: "room101-sos",
            payload: Array(
                #"{"battery":100,"last_seen":"2026-11-26T02:14:00+01:00","low_battery":false,"online":true}"#.utf8))
        #expect(frame(model).text[21].contains("(1 av 25"))
        model.receiveDevice(
            id: "room103-fall", payload: Array(#"{"battery":null,"low_battery":false,"online":false}"#.utf8))
        model.receiveDevice(id: "room105-sos", payload: Array(#"{"battery":15,"low_battery":true,"online":true}"#.utf8))
        let screen = frame(model, width: 120)
        #expect(screen.text[21] == "Enheter – FRAKOBLET: room103-fall · LAVT BATTERI: room105-sos 15%")
        #expect(screen.lines[21].first?.style == .high)
        // A device whose chain has not been proven for too long is named too.
        model.receiveDevice(
            id: "room104-fall",
            payload: Array(#"{"battery":null,"low_battery":false,"online":true,"proof_expired":true}"#.utf8))
        #expect(frame(model, width: 160).text[21].hasSuffix(" · IKKE TESTET: room104-fall"))
    }

    @Test func silencedResidentsAndRoomsAreNamedUntilTheirEnd() {
        var model = Demo.model()
        #expect(!frame(model).text.contains { $0.hasPrefix("STILLE") })
        model.receiveSilences(
            Array(
                #"[{"id":"S1","resident":"r-4f2a","room":null,"until":"2026-11-29T12:00:00+01:00"},{"id":"S2","resident":null,"room":"104","until":"2026-11-26T02:14:30+01:00"}]"#
                    .utf8))
        let screen = frame(model, width: 120)
        expectFits(screen)
        // The room silence ended at 02:14:30; the screen is drawn at 02:14:45.
        #expect(screen.text[20] == "STILLE (ingen alarmer): Kari N. til 29.11 12:00")
        #expect(screen.lines[20].first?.style == .high)
        #expect(screen.text[19].hasPrefix("På vakt: "))
        model.receiveSilences(Array("[]".utf8))
        #expect(!frame(model).text.contains { $0.hasPrefix("STILLE") })
    }

    @Test func manyAlarmsScrollToKeepTheSelectionInView() {
        var model = Demo.model()
        for n in 1...40 {
            _ = model.receiveAlarm(
                id: "A\(n)",
                payload: Demo.payload(Demo.alarm(n, room: "10\(n % 6 + 1)", raisedAt: Demo.t0 + Double(n))))
        }
        for _ in 1..<40 { _ = model.handle(.down) }
        #expect(model.selectedID == "A40")
        let screen = frame(model)
        expectFits(screen)
        #expect(screen.lines.contains { $0.first?.style == .selected }, "the selected row is on screen")
        #expect(screen.text.joined(separator: "\n").contains("A40 · Fall"))
    }

    @Test func adaptsToTheSizeAndSaysWhenTooSmall() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103")))
        let wide = frame(model, width: 160, height: 50)
        expectFits(wide)
        #expect(wide.text[4].count > 100, "the resident column takes the room")
        let small = frame(model, width: 60, height: 16)
        expectFits(small)
        #expect(small.text[3] == "Vinduet er for lite (minst 80×24)")
    }

    @Test func englishWhenTheSiteSaysSo() {
        let site = Demo.english()
        var model = Demo.model(site: site)
        _ = model.receiveAlarm(
            id: "A1", payload: Demo.payload(Demo.alarm(1, room: "105", kind: "sos", site: site), site: site))
        let screen = frame(model)
        #expect(screen.text[1] == "Hub running")
        #expect(screen.text[3].hasPrefix("WAITING SEVERITY  ROOM  RESIDENT"))
        #expect(screen.text[4].contains("CRITICAL"))
        #expect(screen.text[4].contains("SOS button"))
        #expect(screen.text[4].contains("UNANSWERED"))
        #expect(screen.text[23].hasPrefix("↑↓ select  a acknowledge"))
    }

    @Test func helpAndResolveScreens() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103")))
        _ = model.handle(.character("?"))
        var screen = frame(model)
        #expect(screen.text[3] == "Hjelp (Esc tilbake)")
        _ = model.handle(.escape)
        _ = model.handle(.character("r"))
        _ = model.handle(.enter)
        _ = model.handle(.character("x"))
        screen = frame(model)
        #expect(screen.text[3].hasPrefix("A1: Avslutt alarm"))
        #expect(screen.text[5].hasPrefix("> Hjulpet"))
        #expect(screen.text.contains("Notat (valgfritt), Enter sender, Esc avbryter: x_"))
    }

    @Test func durationsAndTruncation() {
        #expect(DashboardLayout.duration(59) == "0:59")
        #expect(DashboardLayout.duration(3_725) == "1:02:05")
        #expect(DashboardLayout.fit("Solveig Hansen", 8) == "Solveig…")
        #expect(DashboardLayout.fit("æøå", 5, pad: true) == "æøå  ")
    }
}
