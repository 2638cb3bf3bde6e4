import Foundation
import Testing
import VaktCore

/// Test mode: a room's devices raise chain tests, marked, under the test policy, never to
/// next of kin; answering one proves the chain as a test; the mode ends on its own. Time is
/// handed in.
@Suite struct TestModeTests {
    static func site() -> Site {
        var site = ProofTests.site()
        site.proof.testPolicy = "technical"
        site.proof.maxTestDuration = 3600
        // A test policy that names next of kin anyway: a test must still never reach them.
        site.policies = site.policies.map { policy in
            guard policy.id == "technical" else { return policy }
            var policy = policy
            policy.tiers = [Tier(afterSeconds: 0, notify: [.staff("sp1"), .nextOfKin])]
            return policy
        }
        return site
    }

    let t0 = Fixture.t0

    func start(_ engine: inout Engine, room: String, minutes: Double, as staff: String = "ns1", at: Date) -> [Effect] {
        engine.handle(
            .testMode(TestModeRequest(id: "t-\(room)", staff: staff, room: room, seconds: minutes * 60)), at: at)
    }

    func sos(_ engine: inout Engine, room: String, at: Date) -> [Effect] {
        engine.handle(
            .report(
                DeviceReport(source: "room\(room)-sos", events: [DeviceEvent(kind: .sos, device: "room\(room)-sos")])),
            at: at)
    }

    @Test func aTestAlarmGoesToTheTestPolicyNeverToRelativesAndProvesTheChain() throws {
        var engine = Engine(site: Self.site())
        let started = start(&engine, room: "103", minutes: 30, at: t0)
        #expect(started.auditActions == [.testStarted])
        #expect(started.replies.first?.ok == true)
        #expect(started.schedules.first?.purpose == .testEnd)
        #expect(started.schedules.first?.due == t0.addingTimeInterval(1800))
        #expect(engine.isInTestMode("room103-fall", at: t0) && !engine.isInTestMode("room104-fall", at: t0))

        let raised = sos(&engine, room: "103", at: t0.addingTimeInterval(60))
        let alarm = try #require(raised.savedAlarms.first)
        #expect(alarm.isTest)
        #expect(alarm.policy == "technical")
        #expect(raised.recipientIDs == ["sp1"], "a test never reaches next of kin")
        #expect(raised.notifications.allSatisfy { $0.title.hasPrefix("TEST – ") })
        #expect(raised.audits.first { $0.action == .alarmRaised }?.detail["test"] == "true")

        // The same button in another room is real, under the care policy, relatives and all.
        let real = try #require(sos(&engine, room: "104", at: t0.addingTimeInterval(61)).savedAlarms.first)
        #expect(!real.isTest && real.policy == "standard")

        let answered = engine.handle(
            .command(Command(id: "c1", staff: "ns1", action: .acknowledge, alarm: alarm.id)),
            at: t0.addingTimeInterval(90))
        #expect(answered.replies.first?.ok == true)
        #expect(engine.sources["room103-sos"]?.chainProofKind == "test")
        #expect(engine.sources["room103-sos"]?.chainProof == "\(alarm.id) (sos, test) answered by ns1")
    }

    @Test func testModeEndsOnItsOwnAndARealAlarmAfterItIsReal() throws {
        var engine = Engine(site: Self.site())
        // Asked for three hours: capped at the configured hour.
        let started = start(&engine, room: "105", minutes: 180, at: t0)
        let timer = try #require(started.schedules.first)
        #expect(timer.due == t0.addingTimeInterval(3600))
        let test = try #require(sos(&engine, room: "105", at: t0.addingTimeInterval(10)).savedAlarms.first)
        #expect(test.isTest)

        let ended = engine.handle(.timer(timer.fire), at: timer.due)
        #expect(ended.auditActions == [.testEnded])
        #expect(ended.audits.first?.detail["reason"] == "time up")
        #expect(!engine.isInTestMode("room105-sos", at: timer.due))
        // The test alarm is still open, unanswered; a real press now must not join it.
        let real = sos(&engine, room: "105", at: timer.due.addingTimeInterval(5))
        let alarm = try #require(real.savedAlarms.first)
        #expect(alarm.id != test.id && !alarm.isTest && alarm.policy == "standard")
    }

    @Test func refusalsSayWhy() {
        var engine = Engine(site: Self.site())
        #expect(start(&engine, room: "999", minutes: 10, at: t0).replies.first?.code == "unknown-room")
        #expect(start(&engine, room: "101", minutes: 10, as: "nobody", at: t0).replies.first?.code == "unknown-staff")
        let end = engine.handle(.testMode(TestModeRequest(id: "e", staff: "ns1", room: "101", seconds: nil)), at: t0)
        #expect(end.replies.first?.code == "not-in-test")
        var untested = Self.site()
        untested.proof.testPolicy = nil
        var plain = Engine(site: untested)
        #expect(start(&plain, room: "101", minutes: 10, at: t0).replies.first?.code == "no-test-policy")
    }

    @Test func staffCanEndTestModeEarly() {
        var engine = Engine(site: Self.site())
        _ = start(&engine, room: "102", minutes: 30, at: t0)
        let end = engine.handle(
            .testMode(TestModeRequest(id: "e", staff: "ns2", room: "102", seconds: nil)), at: t0.addingTimeInterval(300)
        )
        #expect(end.auditActions == [.testEnded])
        #expect(end.audits.first?.actor == "staff:ns2")
        #expect(end.cancelledTimers == ["test:102"])
        #expect(!engine.isInTestMode("room102-sos", at: t0.addingTimeInterval(301)))
    }

    @Test func theRequestParsesAndRoundTrips() throws {
        let request = TestModeRequest(id: "r1", staff: "ns1", room: "103", seconds: 900)
        let parsed = try #require(TestModeRequest.parse(request.encode(), staff: "ns1"))
        #expect(try parsed.get() == request)
        #expect(TestModeRequest.parse(Array(#"{"id":"x","action":"ack","alarm":"A1"}"#.utf8), staff: "ns1") == nil)
        let bad = TestModeRequest.parse(
            Array(#"{"id":"x","action":"test-start","room":"1","minutes":-5}"#.utf8), staff: "ns1")
        #expect(throws: CommandPayload.Problem.self) { try bad?.get() }
    }

    /// Nobody answers the test: it escalates under the test policy like a technical fault,
    /// and still never reaches relatives.
    @Test func anUnansweredTestEscalatesAsATechnicalFault() throws {
        var engine = Engine(site: Self.site())
        _ = start(&engine, room: "106", minutes: 30, at: t0)
        let raised = sos(&engine, room: "106", at: t0)
        let alarm = try #require(raised.savedAlarms.first)
        let timer = try #require(raised.schedules.first { $0.purpose == .escalate })
        // The technical policy here has one tier repeating hourly.
        #expect(timer.due == t0.addingTimeInterval(3600))
        let repeated = engine.handle(.timer(timer.fire), at: timer.due)
        #expect(repeated.auditActions.contains(.alarmEscalated))
        #expect(repeated.savedAlarms.first?.id == alarm.id && repeated.savedAlarms.first?.round == 1)
        #expect(repeated.recipientIDs == ["sp1"])
    }

    /// Only the device's test is a test: the same button pressed again joins it, and once the
    /// test is answered the room's test mode is over, so what follows is real.
    @Test func answeringTheTestEndsTestModeAndWhatFollowsIsReal() throws {
        var engine = Engine(site: Self.site())
        _ = start(&engine, room: "103", minutes: 30, at: t0)
        let test = try #require(sos(&engine, room: "103", at: t0.addingTimeInterval(10)).savedAlarms.first)
        // Pressed again before anyone answers: joins the test, no second alarm.
        let again = sos(&engine, room: "103", at: t0.addingTimeInterval(20))
        #expect(again.savedAlarms.map(\.id) == [test.id])
        #expect(again.auditActions.contains(.alarmJoined))
        let answer = engine.handle(
            .command(Command(id: "c1", staff: "ns1", action: .acknowledge, alarm: test.id)),
            at: t0.addingTimeInterval(60))
        #expect(answer.auditActions.contains(.testEnded))
        #expect(answer.audits.first { $0.action == .testEnded }?.detail["reason"] == "test \(test.id) answered")
        #expect(!engine.isInTestMode("room103-fall", at: t0.addingTimeInterval(61)))
        // Ten minutes into the window the resident falls: a real alarm, relatives and all.
        let fall = engine.handle(
            .report(
                DeviceReport(source: "room103-fall", events: [DeviceEvent(kind: .fallDetected, device: "room103-fall")])
            ),
            at: t0.addingTimeInterval(600))
        let real = try #require(fall.savedAlarms.first)
        #expect(!real.isTest && real.policy == "standard")
        #expect(fall.notifications.allSatisfy { !$0.title.hasPrefix("TEST") })
    }

    /// A room with a real alarm open is not put in test mode: a test could pass for its sequel.
    @Test func aRoomWithAnOpenRealAlarmIsNotTested() {
        var engine = Engine(site: Self.site())
        _ = sos(&engine, room: "101", at: t0)
        let refused = start(&engine, room: "101", minutes: 30, at: t0.addingTimeInterval(5))
        #expect(refused.replies.first?.code == "open-alarm")
        #expect(!engine.isInTestMode("room101-sos", at: t0.addingTimeInterval(6)))
    }

    /// One device rather than the room: the room's other devices stay real.
    @Test func oneDeviceCanBeTestedAlone() throws {
        var engine = Engine(site: Self.site())
        let started = engine.handle(
            .testMode(TestModeRequest(id: "d", staff: "ns1", room: "", device: "room106-sos", seconds: 600)), at: t0)
        #expect(started.replies.first?.ok == true)
        #expect(started.audits.first?.detail["scope"] == "device room106-sos")
        #expect(engine.isInTestMode("room106-sos", at: t0) && !engine.isInTestMode("room106-fall", at: t0))
        let test = try #require(sos(&engine, room: "106", at: t0.addingTimeInterval(5)).savedAlarms.first)
        #expect(test.isTest)
        let unknown = engine.handle(
            .testMode(TestModeRequest(id: "x", staff: "ns1", room: "", device: "nope", seconds: 600)), at: t0)
        #expect(unknown.replies.first?.code == "unknown-device")
        let both = TestModeRequest.parse(
            Array(#"{"id":"b","action":"test-start","room":"1","device":"room101-sos"}"#.utf8), staff: "ns1")
        #expect(throws: CommandPayload.Problem.self) { try both?.get() }
    }
}
