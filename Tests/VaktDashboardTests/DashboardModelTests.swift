import Foundation
import Testing
import VaktConfig
import VaktCore
import VaktTesting

@testable import VaktDashboard

/// The demo site, and alarms as the hub publishes them.
enum Demo {
    static let site: Site = {
        do {
            return try SiteLoader.load(directory: RepositoryPaths.demoConfig.path)
        } catch {
            fatalError("the demo config must load: \(error)")
        }
    }()

    static func english() -> Site {
        var site = site
        site.language = .english
        return site
    }

    /// 2026-11-26T02:14:00+01:00
    static let t0 = Date(timeIntervalSince1970: 1_795_655_640)

    static func alarm(
        _ number: Int, room: String, kind: String = "fall", severity: Severity = .critical, state: AlarmState = .raised,
        raisedAt: Date = t0, site: Site = site
    ) -> Alarm {
        var alarm = Alarm(
            id: "A\(number)", kind: kind, severity: severity, state: state,
            resident: site.resident(inRoom: room)?.id, room: room,
            device: "room\(room)-\(kind == "sos" ? "sos" : "fall")",
            rule: kind, policy: "standard", raisedAt: raisedAt)
        alarm.notified = ["ns1", "ns2"]
        alarm.escalatesAt = state == .raised ? raisedAt.addingTimeInterval(120) : nil
        if state != .raised {
            alarm.acknowledgedBy = "ns1"
            alarm.acknowledgedAt = raisedAt.addingTimeInterval(30)
        }
        return alarm
    }

    static func payload(_ alarm: Alarm, site: Site = site) -> [UInt8] {
        Array(AlarmSnapshot(alarm, site: site).json())
    }

    static func model(site: Site = site, staff: String = "ns1") -> DashboardModel {
        var model = DashboardModel(site: site, staff: site.staffMember(staff)!, requestPrefix: "test")
        model.brokerConnected = true
        model.receiveHubState(Array("online".utf8))
        return model
    }
}

@Suite struct DashboardModelTests {
    @Test func alarmsSortBySeverityThenLongestWaiting() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "104", severity: .high)))
        _ = model.receiveAlarm(id: "A2", payload: Demo.payload(Demo.alarm(2, room: "105", raisedAt: Demo.t0 + 60)))
        _ = model.receiveAlarm(id: "A3", payload: Demo.payload(Demo.alarm(3, room: "103", raisedAt: Demo.t0 + 30)))
        #expect(model.sortedAlarms.map(\.id) == ["A3", "A2", "A1"])
        #expect(model.selectedID == "A1", "the first alarm to arrive is selected until someone moves")
    }

    @Test func onlyANewRaisedCriticalAlarmAlerts() {
        var model = Demo.model()
        #expect(model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103"))) == [.alert])
        #expect(model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103"))).isEmpty, "an update")
        #expect(
            model.receiveAlarm(id: "A2", payload: Demo.payload(Demo.alarm(2, room: "104", severity: .high))).isEmpty)
        var quiet = Demo.model()
        quiet.alertsEnabled = false
        #expect(quiet.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103"))).isEmpty)
    }

    @Test func clearedOrResolvedAlarmsLeaveAndTheSelectionMovesOn() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103")))
        _ = model.receiveAlarm(id: "A2", payload: Demo.payload(Demo.alarm(2, room: "104", raisedAt: Demo.t0 + 5)))
        #expect(model.selectedID == "A1")
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103", state: .resolved)))
        #expect(model.sortedAlarms.map(\.id) == ["A2"])
        #expect(model.selectedID == "A2")
        _ = model.receiveAlarm(id: "A2", payload: [])
        #expect(model.sortedAlarms.isEmpty)
        #expect(model.selectedID == nil)
    }

    @Test func anUnreadableSnapshotSaysSoAndChangesNothing() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A9", payload: Array("{not json".utf8))
        #expect(model.alarms.isEmpty)
        #expect(model.status?.isError == true)
        #expect(model.status?.text.contains("A9") == true)
    }

    @Test func keysMoveTheSelectionAndSendCommandsForIt() throws {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103")))
        _ = model.receiveAlarm(id: "A2", payload: Demo.payload(Demo.alarm(2, room: "104", raisedAt: Demo.t0 + 5)))
        #expect(model.handle(.down).isEmpty)
        #expect(model.selectedID == "A2")
        #expect(model.handle(.down).isEmpty, "the bottom stays the bottom")
        #expect(model.selectedID == "A2")
        _ = model.handle(.character("k"))
        #expect(model.selectedID == "A1")

        let effects = model.handle(.character("a"))
        #expect(effects == [.send(Command(id: "test-1", staff: "ns1", action: .acknowledge, alarm: "A1"))])
        #expect(model.status == .init(text: "Kvitterer A1 ...", isError: false))
        model.receiveReply(Array(#"{"id":"test-1","ok":true,"message":"A1 acknowledged"}"#.utf8))
        #expect(model.status == .init(text: "A1 er kvittert – du har den", isError: false))

        _ = model.handle(.character("p"))
        model.receiveReply(
            Array(
                #"{"id":"test-2","ok":false,"message":"alarm A1 is already onsite","code":"already-onsite","by":"ns2"}"#
                    .utf8))
        #expect(model.status == .init(text: "Avvist: A1: Jonas er allerede tilstede", isError: true))
        _ = model.handle(.character("p"))
        model.receiveReply(Array(#"{"id":"test-3","ok":false,"message":"command is not a JSON object"}"#.utf8))
        #expect(
            model.status == .init(text: "Avvist: command is not a JSON object", isError: true),
            "without a code, the hub's own words")
        model.receiveReply(Array(#"{"id":"someone-else-1","ok":true,"message":"A1 resolved"}"#.utf8))
        #expect(model.status?.isError == true, "another dashboard's reply is not ours")
        #expect(model.handle(.character("q")) == [.quit])
    }

    @Test func commandsWithoutAnAlarmSaySo() {
        var model = Demo.model()
        #expect(model.handle(.character("a")).isEmpty)
        #expect(model.status == .init(text: "Ingen alarm valgt", isError: true))
    }

    @Test func resolveAsksForAnOutcomeAndANote() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103", state: .acknowledged)))
        #expect(model.handle(.character("r")).isEmpty)
        #expect(model.mode == .resolve(alarm: "A1", outcome: 0, note: nil))
        _ = model.handle(.down)
        _ = model.handle(.enter)
        #expect(model.mode == .resolve(alarm: "A1", outcome: 1, note: ""))
        for character in "Helt ok, æøå!" { _ = model.handle(.character(character)) }
        _ = model.handle(.backspace)
        let effects = model.handle(.enter)
        #expect(
            effects == [
                .send(
                    Command(
                        id: "test-1", staff: "ns1", action: .resolve, alarm: "A1", outcome: "false-alarm",
                        note: "Helt ok, æøå"))
            ])
        #expect(model.mode == .list)

        _ = model.handle(.character("r"))
        _ = model.handle(.escape)
        #expect(model.mode == .list, "Esc cancels without sending")
    }

    @Test func timelineAsksTheHubAndShowsItsAnswer() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103")))
        #expect(model.handle(.character("t")) == [.requestTimeline(id: "test-1", alarm: "A1")])
        #expect(model.mode == .timeline(alarm: "A1", lines: nil))
        model.receiveReply(
            Array(
                #"{"id":"test-1","ok":true,"message":"","timeline":[{"seq":2,"at":"2026-11-26T02:14:00+01:00","action":"alarm.raised","actor":"device:room103-fall","recipient":null,"channel":null,"result":null,"detail":{"room":"103","event":"fall.detected"}}]}"#
                    .utf8))
        #expect(
            model.mode
                == .timeline(
                    alarm: "A1",
                    lines: [
                        TimelineLine(
                            at: "2026-11-26T02:14:00+01:00", action: "alarm.raised", actor: "device:room103-fall",
                            detail: "event=fall.detected room=103")
                    ]))
        _ = model.handle(.escape)
        #expect(model.mode == .list)
    }

    @Test func aCommandThatCannotBeSentSaysWhy() {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "103")))
        let effects = model.handle(.character("a"))
        model.sendFailed(effects[0], reason: "no connection")
        #expect(model.status == .init(text: "Ikke sendt: no connection", isError: true))
    }
}

/// `T`: a chain test for a room, from the dashboard.
@Suite struct DashboardTestModeTests {
    @Test func tStartsTestModeForTheSelectedAlarmsRoomOrATypedOne() throws {
        var model = Demo.model()
        _ = model.receiveAlarm(id: "A1", payload: Demo.payload(Demo.alarm(1, room: "104")))
        _ = model.handle(.down)
        #expect(model.handle(.character("T")).isEmpty)
        #expect(model.mode == .testRoom(room: "104"))
        // Edit it to 105.
        _ = model.handle(.backspace)
        _ = model.handle(.character("5"))
        let effects = model.handle(.enter)
        guard case .startTest(let request) = try #require(effects.first) else {
            Issue.record("no test request: \(effects)")
            return
        }
        #expect(request.room == "105" && request.staff == "ns1" && request.seconds == TestModeRequest.defaultSeconds)
        #expect(model.mode == .list)
        #expect(model.status?.text == "Starter test av rom 105 ...")

        model.receiveReply(
            Array(#"{"id":"\#(request.id)","ok":true,"message":"room 105 is in test mode until 03:00"}"#.utf8))
        #expect(model.status?.text.hasPrefix("Rom 105 er i testmodus") == true)
        #expect(model.status?.isError == false)
    }

    @Test func aRefusedTestSaysWhyAndEscapeCancels() throws {
        var model = Demo.model()
        _ = model.handle(.character("T"))
        #expect(model.mode == .testRoom(room: ""))
        #expect(model.handle(.enter).isEmpty, "no room typed: nothing sent")
        _ = model.handle(.character("T"))
        for c in "999" { _ = model.handle(.character(c)) }
        guard case .startTest(let request) = try #require(model.handle(.enter).first) else { return }
        model.receiveReply(
            Array(#"{"id":"\#(request.id)","ok":false,"message":"no room '999'","code":"unknown-room"}"#.utf8))
        #expect(model.status?.isError == true)
        #expect(model.status?.text.contains("no room '999'") == true)
        _ = model.handle(.character("T"))
        _ = model.handle(.escape)
        #expect(model.mode == .list)
    }

    @Test func thePromptIsShown() {
        var model = Demo.model()
        _ = model.handle(.character("T"))
        _ = model.handle(.character("1"))
        let screen = DashboardLayout.render(model, width: 100, height: 30, now: Demo.t0)
        #expect(screen.text.contains { $0.contains("Test av alarmkjeden") && $0.hasSuffix("1_") })
        #expect(screen.text.contains { $0.contains("aldri til pårørende") })
    }
}

@Suite struct DashboardTestModeLineTests {
    @Test func aRoomInTestModeIsNamedOnTheDevicesLine() {
        var model = Demo.model()
        model.receiveDevice(
            id: "room104-sos",
            payload: Array(
                #"{"battery":100,"low_battery":false,"online":true,"test_until":"2026-11-26T02:44:00+01:00"}"#.utf8))
        let screen = DashboardLayout.render(model, width: 120, height: 30, now: Demo.t0)
        #expect(screen.text.contains { $0 == "Enheter – TESTMODUS: rom 104" })
    }
}
