import Foundation
import Testing
import VaktCore

/// Rules that carry care practice: where and when they apply, counting, absence, inactivity,
/// deduplication, hold-offs and reminders. Every instant is handed in; nothing sleeps.
@Suite("Care rules")
struct CareRulesTests {
    let t0 = Fixture.t0  // 03:00 in Oslo, a Thursday night in January

    func site(_ rules: [Rule], edit: (inout Site) -> Void = { _ in }) -> Site {
        var site = Fixture.site()
        site.rules = rules
        site.rooms[2].tags = ["ground-floor"]  // room 103
        site.residents[3].tags = ["wandering-risk"]  // r104
        edit(&site)
        return site
    }

    static let nightDoor = Rule(
        id: "night-door", events: [.doorOpened], alarm: "wandering", severity: .high, policy: "standard",
        match: RuleMatch(residentTags: ["wandering-risk"]), when: TimeWindow("22:00-07:00"))

    @Test("conditions: resident tags, room tags, devices, fields and the time window each decide")
    func conditions() {
        let rules = [
            Self.nightDoor,
            Rule(
                id: "ground-floor-door", events: [.doorOpened], alarm: "door", severity: .medium, policy: "standard",
                match: RuleMatch(roomTags: ["ground-floor"])),
            Rule(
                id: "leak-bathroom", events: [.waterLeak], alarm: "water-leak", severity: .high, policy: "standard",
                match: RuleMatch(devices: ["room105-door"], attributes: ["where": "bath"])),
        ]
        var engine = Engine(site: site(rules))
        // r104 is wandering-risk: at night their door raises; by day it does not.
        #expect(
            engine.handle(Fixture.event(.doorOpened, "room104-door"), at: t0).savedAlarms.map(\.rule) == ["night-door"])
        var day = Engine(site: site(rules))
        #expect(
            day.handle(Fixture.event(.doorOpened, "room104-door"), at: instant("2026-01-15T12:00:00Z")).savedAlarms
                .isEmpty)
        // Room 103 is ground floor: the second rule takes it, day or night.
        #expect(
            day.handle(Fixture.event(.doorOpened, "room103-door"), at: instant("2026-01-15T12:00:00Z")).savedAlarms.map(
                \.rule) == ["ground-floor-door"])
        // Room 102's door matches neither.
        #expect(engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0).savedAlarms.isEmpty)
        // A field condition: only the event that says where=bath raises.
        let dry = DeviceEvent(kind: .waterLeak, device: "room105-door", detail: ["where": "kitchen"])
        #expect(engine.handle(.device(dry), at: t0).savedAlarms.isEmpty)
        let wet = DeviceEvent(kind: .waterLeak, device: "room105-door", detail: ["where": "bath"])
        #expect(engine.handle(.device(wet), at: t0).savedAlarms.map(\.kind) == ["water-leak"])
    }

    @Test("per-resident overrides: off for one resident, another severity and policy for another")
    func overrides() {
        let site = site(Fixture.site().rules) { site in
            site.residents[0].ruleOverrides["fall-suspected"] = RuleOverride(disabled: true)  // r101
            site.residents[1].ruleOverrides["fall-suspected"] = RuleOverride(severity: .critical)  // r102
        }
        var engine = Engine(site: site)
        #expect(engine.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0).savedAlarms.isEmpty)
        #expect(
            engine.handle(Fixture.event(.fallSuspected, "room102-fall"), at: t0).savedAlarms.map(\.severity) == [
                .critical
            ])
        #expect(
            engine.handle(Fixture.event(.fallSuspected, "room103-fall"), at: t0).savedAlarms.map(\.severity) == [.high])
        // A real fall for r101 still raises: only the suspected-fall rule is off.
        #expect(engine.handle(Fixture.fall(101), at: t0).savedAlarms.map(\.rule) == ["fall"])
    }

    @Test("counting: three suspected falls within ten minutes raise; two, or three spread out, do not")
    func counting() {
        let rule = Rule(
            id: "suspected", events: [.fallSuspected], alarm: "fall", severity: .high, policy: "standard",
            trigger: .count(times: 3, withinSeconds: 600))
        var engine = Engine(site: site([rule]))
        let suspected = Fixture.event(.fallSuspected, "room101-fall")
        #expect(engine.handle(suspected, at: t0).savedAlarms.isEmpty)
        #expect(engine.handle(suspected, at: t0 + 400).savedAlarms.isEmpty)
        // The first has left the window at +610: still two.
        #expect(engine.handle(suspected, at: t0 + 610).savedAlarms.isEmpty)
        #expect(engine.memories["count:suspected:resident:r101:fall"]?.instants == [t0 + 400, t0 + 610])
        let third = engine.handle(suspected, at: t0 + 700)
        #expect(third.savedAlarms.map(\.kind) == ["fall"])
        #expect(third.contains(.forgetMemory(id: "count:suspected:resident:r101:fall")))
        // While the alarm is open, more suspicions join it at once.
        #expect(engine.handle(suspected, at: t0 + 710).auditActions == [.alarmJoined])
        // The count survives a restart: memories are restored.
        var other = Engine(site: site([rule]))
        for effect in other.handle(suspected, at: t0) + other.handle(suspected, at: t0 + 1) {
            if case .saveMemory(let memory) = effect {
                var restarted = Engine(site: site([rule]), memories: [memory])
                #expect(
                    restarted.handle(suspected, at: t0 + 2).savedAlarms.count == (memory.instants.count == 2 ? 1 : 0))
            }
        }
    }

    @Test("absence: a door opened and not closed within 5 minutes raises; closed in time, nothing")
    func absence() throws {
        let rule = Rule(
            id: "door-left-open", events: [.doorOpened], alarm: "door-open", severity: .medium, policy: "standard",
            trigger: .absence(expect: [.doorClosed], withinSeconds: 300))
        var engine = Engine(site: site([rule]))
        let opened = engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0)
        let timer = try #require(opened.schedules.first)
        #expect(timer.purpose == .absence && timer.due == t0 + 300 && timer.id == "absence:door-left-open:102")
        // A second opening message does not restart the wait.
        #expect(engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0 + 60).schedules.isEmpty)
        let raised = engine.handle(.timer(timer.fire), at: t0 + 300)
        #expect(raised.savedAlarms.map(\.kind) == ["door-open"])
        #expect(raised.audits.first { $0.action == .alarmRaised }?.detail["raw"] == "no door.closed within 300s")
        #expect(raised.contains(.forgetMemory(id: "absence:door-left-open:102")))

        // Closed in time: the wait ends and nothing is raised.
        let opened3 = engine.handle(Fixture.event(.doorOpened, "room103-door"), at: t0)
        let closed = engine.handle(Fixture.event(.doorClosed, "room103-door"), at: t0 + 100)
        #expect(closed.cancelledTimers == ["absence:door-left-open:103"])
        #expect(engine.memories["absence:door-left-open:103"] == nil)
        // A stale fire (cancelled in the store, racing) raises nothing.
        let stale = try #require(opened3.schedules.first)
        #expect(engine.handle(.timer(stale.fire), at: t0 + 300).savedAlarms.isEmpty)
    }

    @Test("inactivity: no activity between 06:00 and 09:00 raises at 09:00, once a day")
    func inactivity() {
        let rule = Rule(
            id: "morning", events: [], alarm: "inactivity", severity: .high, policy: "standard",
            match: RuleMatch(devices: ["room101-door", "room102-door"]),
            trigger: .inactivity(
                expect: [.doorOpened, .presenceDetected], from: DailyTime(hour: 6, minute: 0),
                by: DailyTime(hour: 9, minute: 0)))
        var engine = Engine(site: site([rule]))
        engine.resumedAt = instant("2026-01-14T12:00:00Z")
        // The first pass on the 15th is before 09:00: it starts the watch, no alarm.
        #expect(engine.handle(.supervise, at: instant("2026-01-15T05:00:00Z")).savedAlarms.isEmpty)
        // Room 101 is active at 07:30; room 102 only at 05:30, before the window.
        _ = engine.handle(Fixture.event(.doorOpened, "room101-door"), at: instant("2026-01-15T06:30:00Z"))
        _ = engine.handle(Fixture.event(.doorOpened, "room102-door"), at: instant("2026-01-15T04:30:00Z"))
        #expect(engine.nextSupervisionDeadline(now: instant("2026-01-15T07:00:00Z")) == instant("2026-01-15T08:00:00Z"))
        #expect(engine.handle(.supervise, at: instant("2026-01-15T07:59:00Z")).savedAlarms.isEmpty)
        let due = engine.handle(.supervise, at: instant("2026-01-15T08:00:00Z"))
        #expect(due.savedAlarms.map(\.room) == ["102"])
        #expect(due.audits.first { $0.action == .alarmRaised }?.detail["last_activity"] == "2026-01-15T05:30:00+01:00")
        // Checked once: the next pass raises nothing more, and the next deadline is tomorrow's.
        #expect(engine.handle(.supervise, at: instant("2026-01-15T08:01:00Z")).savedAlarms.isEmpty)
        #expect(engine.nextSupervisionDeadline(now: instant("2026-01-15T08:01:00Z")) == instant("2026-01-16T08:00:00Z"))
    }

    @Test(
        "inactivity: a rule first seen after its deadline waits for tomorrow; a hub down at 09:00 gives devices two minutes"
    )
    func inactivityStartAndRestart() {
        let rule = Rule(
            id: "morning", events: [], alarm: "inactivity", severity: .high, policy: "standard",
            match: RuleMatch(devices: ["room101-door"]),
            trigger: .inactivity(
                expect: [.doorOpened], from: DailyTime(hour: 6, minute: 0), by: DailyTime(hour: 9, minute: 0)))
        var fresh = Engine(site: site([rule]))
        #expect(fresh.handle(.supervise, at: instant("2026-01-15T10:00:00Z")).savedAlarms.isEmpty)
        #expect(fresh.memories["activity:morning:101"]?.day == "2026-01-15")

        // Watched since yesterday, hub restarted at 10:30 local: the check waits 2 minutes
        // for the queued messages, which show activity.
        var restarted = Engine(
            site: site([rule]), memories: [RuleMemory(id: "activity:morning:101", rule: "morning", day: "2026-01-14")])
        restarted.resumedAt = instant("2026-01-15T09:30:00Z")
        #expect(restarted.handle(.supervise, at: instant("2026-01-15T09:30:00Z")).savedAlarms.isEmpty)
        _ = restarted.handle(Fixture.event(.doorOpened, "room101-door"), at: instant("2026-01-15T09:30:30Z"))
        #expect(restarted.handle(.supervise, at: instant("2026-01-15T09:32:00Z")).savedAlarms.isEmpty)
        #expect(restarted.memories["activity:morning:101"]?.day == "2026-01-15")
    }

    @Test("dedup: two sensors of one resident make one fall; per-device keys keep devices apart")
    func dedup() {
        var site = site(Fixture.site().rules)
        site.devices.append(Device(id: "room101-radar", profile: "test/fall-sensor", room: "101", topic: "z2m/radar"))
        var engine = Engine(site: site)
        _ = engine.handle(Fixture.fall(101), at: t0)
        #expect(engine.handle(Fixture.event(.fallDetected, "room101-radar"), at: t0 + 5).auditActions == [.alarmJoined])
        #expect(engine.openAlarms.count == 1)
        site.rules[0].dedup = .device
        var perDevice = Engine(site: site)
        _ = perDevice.handle(Fixture.fall(101), at: t0)
        #expect(
            perDevice.handle(Fixture.event(.fallDetected, "room101-radar"), at: t0 + 5).savedAlarms.map(\.id) == ["A2"])
    }

    @Test("hold-off: after resolve, the same key raises nothing for a while, on record; then raises anew")
    func holdOff() {
        var rule = Self.nightDoor
        rule.match = RuleMatch()
        rule.holdOffSeconds = 600
        var engine = Engine(site: site([rule]))
        _ = engine.handle(Fixture.event(.doorOpened, "room104-door"), at: t0)
        _ = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "false-alarm"), at: t0 + 60)
        let held = engine.handle(Fixture.event(.doorOpened, "room104-door"), at: t0 + 300)
        #expect(held.savedAlarms.isEmpty)
        #expect(held.audits.map(\.action) == [.alarmSuppressed])
        #expect(held.audits.first?.detail["reason"] == "hold-off")
        #expect(held.audits.first?.detail["after"] == "A1")
        #expect(engine.handle(Fixture.event(.doorOpened, "room104-door"), at: t0 + 661).savedAlarms.map(\.id) == ["A2"])
        // The hold-off survives a restart: recently resolved alarms are restored.
        var resolved = engine.recentlyResolved["resident:r104:wandering"]
        resolved?.resolvedAt = t0 + 700
        var restarted = Engine(site: site([rule]), nextNumber: 3, recentlyResolved: [resolved].compactMap { $0 })
        #expect(
            restarted.handle(Fixture.event(.doorOpened, "room104-door"), at: t0 + 800).auditActions == [
                .alarmSuppressed
            ])
    }

    @Test("reminders: an open door reminds its tier at most once per interval; closing it resolves it")
    func renotify() {
        let rule = Rule(
            id: "door", events: [.doorOpened], alarm: "door-open", severity: .medium, policy: "standard",
            clears: [.doorClosed], renotifySeconds: 600)
        var engine = Engine(site: site([rule]))
        #expect(engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0).recipientIDs == ["ns1", "ns2"])
        #expect(engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0 + 60).notifications.isEmpty)
        let reminder = engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0 + 600)
        #expect(
            reminder.notifications.map(\.key) == ["marker:A1:t0:r0:ns1:webhook:j2", "marker:A1:t0:r0:ns2:webhook:j2"])
        #expect(engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0 + 900).notifications.isEmpty)
        let closed = engine.handle(Fixture.event(.doorClosed, "room102-door"), at: t0 + 1000)
        #expect(closed.savedAlarms.map(\.outcome) == ["recovered"])
        #expect(closed.cancelledTimers == ["A1:escalate"])
    }

    @Test("outcomes come from the site's list; an unknown one is refused with the list")
    func outcomes() {
        var site = Fixture.site()
        site.outcomes = [
            OutcomeCode(id: "helped-up", nb: "Hjulpet opp", en: "Helped up"),
            OutcomeCode(id: "no-injury", nb: "Ingen skade", en: "No injury"),
            OutcomeCode(id: "doctor", nb: "Skade, sendt til lege", en: "Injury, sent to doctor"),
        ]
        var engine = Engine(site: site)
        _ = engine.handle(Fixture.fall(), at: t0)
        let refused = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "assisted"), at: t0 + 10)
        #expect(refused.replies.first?.message == "resolve needs an outcome, one of: helped-up, no-injury, doctor")
        let done = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "doctor"), at: t0 + 20)
        #expect(done.savedAlarms.first?.outcome == "doctor")
    }

    @Test("reopen: a resolved alarm escalates again from tier 0 with fresh keys; open or unknown ones are refused")
    func reopen() {
        var engine = Fixture.engine()
        _ = engine.handle(Fixture.fall(), at: t0)
        #expect(
            engine.handle(Fixture.command(.reopen, "A1", as: "ns1"), at: t0 + 5).replies.first?.code == "not-reopenable"
        )
        _ = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "assisted"), at: t0 + 60)
        let reopened = engine.handle(Fixture.command(.reopen, "A1", as: "sp1", note: "hun falt igjen"), at: t0 + 120)
        #expect(reopened.auditActions.first == .alarmReopened)
        let alarm = engine.openAlarms["A1"]
        #expect(alarm?.state == .raised && alarm?.tier == 0 && alarm?.reopened == 1 && alarm?.outcome == nil)
        #expect(
            reopened.notifications.map(\.key) == ["marker:A1:t0:r0:ns1:webhook:o1", "marker:A1:t0:r0:ns2:webhook:o1"])
        #expect(reopened.schedules.map(\.due) == [t0 + 240])
        #expect(reopened.audits.first { $0.action == .alarmReopened }?.detail["previous_outcome"] == "assisted")
        // Once reopened it is open: a second reopen is refused; after 24 h it is forgotten.
        #expect(engine.handle(Fixture.command(.reopen, "A1", as: "ns1"), at: t0 + 130).replies.first?.ok == false)
        _ = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "assisted"), at: t0 + 200)
        _ = engine.handle(.supervise, at: t0 + 200 + 86400)
        #expect(
            engine.handle(Fixture.command(.reopen, "A1", as: "ns1"), at: t0 + 201 + 86400).replies.first?.code
                == "not-reopenable")
    }
}
