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

    @Test(
        "a hold-off counts from the resolve in elapsed time, whichever way the clock steps", arguments: [-3600.0, 3600])
    func holdOff(step: Double) throws {
        var engine = engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        _ = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "false-alarm"), at: t0 + 60)
        _ = engine.handle(.clockStepped(ClockStep(seconds: step, timers: [])), at: t0 + 120 + step)
        // Nine minutes after the resolve it still holds; eleven minutes after, it is over.
        let held = engine.handle(Fixture.fall(101), at: t0 + 60 + 540 + step)
        #expect(held.auditActions == [.alarmSuppressed])
        let after = engine.handle(Fixture.fall(101), at: t0 + 60 + 660 + step)
        #expect(after.auditActions.contains(.alarmRaised))
    }

    @Test("a resolve the clock has gone back past holds nothing: the hold-off cannot be judged")
    func holdOffAfterRestart() {
        var engine = engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        _ = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "false-alarm"), at: t0 + 60)
        // Restarted after a step back, the stored resolve lies in the future.
        var restarted = Engine(
            site: engine.site, nextNumber: 2, recentlyResolved: Array(engine.recentlyResolved.values))
        #expect(restarted.handle(Fixture.fall(101), at: t0 + 120 - 3600).auditActions.contains(.alarmRaised))
    }

    @Test("each moved thing is stored: the effects carry the silence, the device and the wait")
    func stored() throws {
        var engine = engine()
        let opened = engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0)
        let wait = try #require(opened.schedules.first)
        _ = engine.handle(
            .silence(
                SilenceRequest(
                    id: "s-1", staff: "sp1",
                    change: .start(resident: "r105", room: nil, kinds: nil, until: nil, seconds: 3600, reason: "x"))),
            at: t0)
        let effects = engine.handle(.clockStepped(ClockStep(seconds: 600, timers: [wait])), at: t0 + 610)
        #expect(effects.contains(.saveMemory(try #require(engine.memories[wait.id]))))
        #expect(effects.contains(.saveSilence(try #require(engine.silences.values.first))))
        #expect(effects.contains(.saveSource(try #require(engine.sources["room101-fall"]))))
    }

    @Test("a silence set to end at a given time keeps that end; one set for a length keeps its length")
    func silences() throws {
        var engine = engine()
        func silence(_ resident: String, until: Date?, seconds: Double?) -> Input {
            .silence(
                SilenceRequest(
                    id: "s-\(resident)", staff: "sp1",
                    change: .start(
                        resident: resident, room: nil, kinds: nil, until: until, seconds: seconds, reason: "x")))
        }
        let fixed = engine.handle(silence("r105", until: t0 + 7200, seconds: nil), at: t0)
        let length = engine.handle(silence("r106", until: nil, seconds: 7200), at: t0)
        let timers = fixed.schedules + length.schedules
        let effects = engine.handle(.clockStepped(ClockStep(seconds: 600, timers: timers)), at: t0 + 610)
        let byResident = Dictionary(uniqueKeysWithValues: engine.silences.values.map { ($0.resident ?? "", $0) })
        #expect(byResident["r105"]?.until == t0 + 7200)
        #expect(byResident["r106"]?.until == t0 + 7200 + 600)
        #expect(effects.schedules.map(\.due) == [t0 + 7200 + 600], "only the length's timer moves")
    }

    @Test("the restart grace moves with a step while running, not with one found at start")
    func resumedAt() {
        var engine = engine()
        engine.resumedAt = t0
        _ = engine.handle(.clockStepped(ClockStep(seconds: 3600, timers: [])), at: t0 + 3610)
        #expect(engine.resumedAt == t0 + 3600)
        _ = engine.handle(.clockStepped(ClockStep(seconds: 3600, timers: [], noticed: .stopped)), at: t0 + 7300)
        #expect(engine.resumedAt == t0 + 3600)
    }
}
