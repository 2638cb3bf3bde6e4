import Foundation
import Testing
import VaktCore

/// A wall-clock step moves every pending instant the engine keeps, so waits keep their length.
@Suite("Clock steps")
struct ClockStepTests {
    let t0 = Fixture.t0

    static let door = Rule(
        id: "door-left-open", events: [.doorOpened], alarm: "door-open", severity: .medium, policy: "standard",
        trigger: .absence(expect: [.doorClosed], withinSeconds: 300))

    func engine() -> Engine {
        var site = Fixture.site()
        var fall = site.rules.first { $0.events.contains(.fallDetected) }!
        fall.holdOffSeconds = 600
        site.rules = [fall, Self.door]
        var source = SourceState(id: "room101-fall", watchedSince: t0 - 86400)
        source.lastSeen = t0 - 600
        return Engine(site: site, sources: [source])
    }

    @Test("an hour back: timers, waits, silences, devices and open alarms move back an hour; on record")
    func back() throws {
        var engine = engine()
        let raised = engine.handle(Fixture.fall(101), at: t0)
        let escalation = try #require(raised.schedules.first)
        let opened = engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0 + 10)
        let wait = try #require(opened.schedules.first)
        _ = engine.handle(
            .silence(
                SilenceRequest(
                    id: "s-1", staff: "sp1",
                    change: .start(
                        resident: "r105", room: nil, kinds: nil, until: nil, seconds: 7200, reason: "permisjon"))),
            at: t0 + 20)
        let silence = try #require(engine.silences.values.first)
        let alarm = try #require(engine.openAlarms.values.first)

        let now = t0 + 30 - 3600
        let effects = engine.handle(.clockStepped(ClockStep(seconds: -3600, timers: [escalation, wait])), at: now)
        #expect(effects.auditActions == [.clockJumped])
        let record = try #require(effects.audits.first)
        #expect(record.detail["wall_step_seconds"] == "-3600")
        #expect(record.detail["timers_moved"] == "2")
        #expect(record.detail["noticed"] == "running")
        #expect(effects.schedules.map(\.due) == [escalation.due - 3600, wait.due - 3600])
        #expect(effects.contains(.shiftPendingAttempts(seconds: -3600, keys: nil)))

        let moved = try #require(engine.openAlarms[alarm.id])
        #expect(moved.raisedAt == alarm.raisedAt - 3600)
        #expect(moved.escalatesAt == alarm.escalatesAt.map { $0 - 3600 })
        #expect(effects.savedAlarms == [moved])
        #expect(engine.silences[silence.id]?.until == silence.until - 3600)
        #expect(engine.sources["room101-fall"]?.lastSeen == t0 - 600 - 3600)
        #expect(engine.sources["room101-fall"]?.watchedSince == t0 - 86400 - 3600)
        #expect(engine.memories[wait.id]?.instants == [t0 + 10 - 3600])

        // The moved wait runs out when its five minutes have passed, on the new clock.
        let fired = engine.handle(
            .timer(ScheduledTimer(id: wait.id, alarm: wait.alarm, purpose: .absence, due: wait.due - 3600).fire),
            at: t0 + 310 - 3600)
        #expect(fired.savedAlarms.map(\.kind) == ["door-open"])
    }

    @Test("a hold-off counts from the resolve in elapsed time, whichever way the clock steps")
    func holdOff() throws {
        var engine = engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        _ = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "false-alarm"), at: t0 + 60)
        // The clock goes an hour back; eleven minutes after the resolve, the hold-off is over.
        _ = engine.handle(.clockStepped(ClockStep(seconds: -3600, timers: [])), at: t0 + 120 - 3600)
        let after = engine.handle(Fixture.fall(101), at: t0 + 60 + 660 - 3600)
        #expect(after.auditActions.contains(.alarmRaised))
    }
}
