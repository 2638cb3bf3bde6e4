import Foundation
import Testing

@testable import VaktCore

/// The corners of care rules where an alarm could go unheard: silences and technical alarms,
/// first days, joins nobody hears, tiers nobody is on, upgrades, restarts.
@Suite("Care rules: edge cases")
struct CareRulesEdgeTests {
    let t0 = Fixture.t0

    func silence(_ engine: inout Engine, resident: String? = nil, room: String? = nil, kinds: [String]? = nil)
        -> [Effect]
    {
        engine.handle(
            .silence(
                SilenceRequest(
                    id: "s", staff: "sp1",
                    change: .start(
                        resident: resident, room: room, kinds: kinds, until: nil, seconds: 86400, reason: "ferie"))),
            at: t0)
    }

    @Test("a silence never holds back a technical alarm: an unplugged sensor is raised in a silenced room")
    func silenceLeavesTechnicalAlarms() {
        var site = Fixture.site()
        site.rules.append(
            Rule(
                id: "offline", events: [.deviceOffline], alarm: "device-offline", severity: .medium, policy: "standard",
                clears: [.deviceOnline]))
        var engine = Engine(site: site)
        _ = silence(&engine, resident: "r103")
        #expect(engine.handle(Fixture.fall(103), at: t0 + 1).auditActions == [.alarmSuppressed])
        let offline = engine.handle(Fixture.event(.deviceOffline, "room103-fall"), at: t0 + 2)
        #expect(offline.savedAlarms.map(\.kind) == ["device-offline"])
    }

    @Test("a silence for a resident in a shared room, or of a kind no rule raises, is refused")
    func silenceRefusals() {
        var site = Fixture.site()
        site.residents.append(Resident(id: "r103b", displayName: "Per Berg", room: "103"))
        var engine = Engine(site: site)
        #expect(silence(&engine, resident: "r103").replies.first?.code == "shared-room")
        let typo = silence(&engine, resident: "r104", kinds: ["fal"])
        #expect(typo.replies.first?.code == "unknown-kind")
        #expect(typo.replies.first?.message == "no care rule raises 'fal'; kinds: fall, sos")
        #expect(engine.silences.isEmpty)
    }

    @Test("inactivity: a room watched since the night with no activity at all is raised on the first morning")
    func inactivityFirstMorning() {
        let rule = Rule(
            id: "morning", events: [], alarm: "inactivity", severity: .high, policy: "standard",
            match: RuleMatch(devices: ["room101-door"]),
            trigger: .inactivity(
                expect: [.doorOpened], from: DailyTime(hour: 6, minute: 0), by: DailyTime(hour: 9, minute: 0)))
        var site = Fixture.site()
        site.rules = [rule]
        var engine = Engine(site: site)
        let first = engine.handle(.supervise, at: instant("2026-01-15T01:00:00Z"))
        #expect(first.contains { if case .saveMemory(let m) = $0 { m.since != nil } else { false } })
        #expect(engine.handle(.supervise, at: instant("2026-01-15T08:00:00Z")).savedAlarms.map(\.room) == ["101"])
        // Activity a few seconds before the window, then the only activity inside it: kept.
        var other = Engine(site: site)
        _ = other.handle(.supervise, at: instant("2026-01-15T01:00:00Z"))
        _ = other.handle(Fixture.event(.doorOpened, "room101-door"), at: instant("2026-01-15T04:59:40Z"))
        _ = other.handle(Fixture.event(.doorOpened, "room101-door"), at: instant("2026-01-15T05:00:10Z"))
        #expect(other.handle(.supervise, at: instant("2026-01-15T08:00:00Z")).savedAlarms.isEmpty)
    }

    @Test("a rule with clears keeps one alarm per device: one door closing does not resolve another's")
    func clearsArePerDevice() {
        var site = Fixture.site()
        site.devices.append(Device(id: "room102-balcony", profile: "test/door-contact", room: "102", topic: "z2m/b"))
        site.rules = [
            Rule(
                id: "door", events: [.doorOpened], alarm: "door-open", severity: .medium, policy: "standard",
                clears: [.doorClosed])
        ]
        #expect(site.rules[0].dedup == .device)
        var engine = Engine(site: site)
        _ = engine.handle(Fixture.event(.doorOpened, "room102-door"), at: t0)
        _ = engine.handle(Fixture.event(.doorOpened, "room102-balcony"), at: t0 + 5)
        #expect(engine.openAlarms.count == 2)
        _ = engine.handle(Fixture.event(.doorClosed, "room102-door"), at: t0 + 10)
        #expect(engine.openAlarms.values.map(\.device) == ["room102-balcony"])
    }

    @Test("a second sensor's fall joining an acknowledged alarm is told to whoever has it")
    func joinTellsTheHolder() {
        var site = Fixture.site()
        site.devices.append(Device(id: "room101-bath", profile: "test/fall-sensor", room: "101", topic: "z2m/bath"))
        var engine = Engine(site: site)
        _ = engine.handle(Fixture.fall(101), at: t0)
        _ = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns2"), at: t0 + 30)
        // The same sensor repeating itself is not news.
        #expect(engine.handle(Fixture.fall(101), at: t0 + 40).notifications.isEmpty)
        let bath = engine.handle(Fixture.event(.fallDetected, "room101-bath"), at: t0 + 600)
        #expect(bath.recipientIDs == ["ns2"])
        #expect(bath.notifications.first?.key == "marker:A1:t0:r0:ns2:webhook:j2")
        #expect(bath.audits.last?.detail["reason"] == "joined while acknowledged")
    }

    @Test("a last tier that reaches nobody falls back to all staff, on record")
    func lastTierFallback() {
        var site = Fixture.site()
        site.policies = [
            Policy(
                id: "standard", tiers: [Tier(afterSeconds: 0, notify: [.role(.operator, onDutyOnly: false)])],
                repeatSeconds: 300)
        ]
        var engine = Engine(site: site)
        // Those on duty first (ns3 is not).
        let effects = engine.handle(Fixture.fall(), at: t0)
        #expect(effects.recipientIDs == ["ns1", "ns2", "sp1"])
        #expect(effects.audits.filter { $0.action == .notificationQueued }.allSatisfy { $0.detail["fallback"] != nil })
        #expect(engine.openAlarms["A1"]?.notified == ["ns1", "ns2", "sp1"])
        // Nobody on duty at all: everyone.
        for index in site.staff.indices { site.staff[index].onDuty = false }
        var nobody = Engine(site: site)
        #expect(nobody.handle(Fixture.fall(), at: t0).recipientIDs == ["ns1", "ns2", "ns3", "sp1"])
        // One bad number on the last tier fails for good: recorded, no new round (the
        // policy's own repeat goes on).
        let report = DeliveryReport(
            notification: effects.notifications[0], attempt: 1, result: .failed(reason: "HTTP 400", retryable: false),
            final: true)
        #expect(engine.handle(.delivery(report), at: t0 + 2).auditActions == [.notificationFailed])
        #expect(engine.openAlarms["A1"]?.round == 0)
    }

    @Test("an alarm stored before dedup keys gets its rule's key, so a repeat after the upgrade joins it")
    func legacyAlarmsGetKeys() {
        var old = Alarm(
            id: "A7", kind: "fall", severity: .critical, resident: "r101", room: "101", device: "room101-fall",
            rule: "fall", policy: "standard", raisedAt: t0)
        old.state = .acknowledged
        #expect(old.key == nil)
        var engine = Engine(site: Fixture.site(), openAlarms: [old], nextNumber: 8)
        #expect(engine.openAlarms["A7"]?.key == "resident:r101:fall")
        #expect(
            engine.handle(Fixture.event(.fallSuspected, "room101-fall"), at: t0 + 5).auditActions.first == .alarmJoined)
    }

    @Test("absence: a wait that ran out while the hub was down waits two minutes for queued messages")
    func absenceAfterRestart() throws {
        var site = Fixture.site()
        site.rules = [
            Rule(
                id: "door-left-open", events: [.doorOpened], alarm: "door-open", severity: .medium,
                policy: "standard", trigger: .absence(expect: [.doorClosed], withinSeconds: 300))
        ]
        var before = Engine(site: site)
        let opened = before.handle(Fixture.event(.doorOpened, "room102-door"), at: t0)
        let timer = try #require(opened.schedules.first)
        var memories: [RuleMemory] = []
        for case .saveMemory(let memory) in opened { memories.append(memory) }
        var after = Engine(site: site, memories: memories)
        after.resumedAt = t0 + 600
        let early = after.handle(.timer(timer.fire), at: t0 + 600)
        #expect(early.savedAlarms.isEmpty)
        #expect(early.schedules.map(\.due) == [t0 + 720])
        // The queued closing arrives: no alarm.
        #expect(after.handle(Fixture.event(.doorClosed, "room102-door"), at: t0 + 601).cancelledTimers == [timer.id])
        // Answering an absence alarm proves no device's chain.
        var again = Engine(site: site, memories: memories)
        let raised = again.handle(.timer(timer.fire), at: t0 + 300)
        #expect(raised.savedAlarms.count == 1)
        let answer = again.handle(Fixture.command(.acknowledge, "A1", as: "ns1"), at: t0 + 310)
        #expect(!answer.contains { if case .saveSource = $0 { true } else { false } })
    }

    @Test("a new event for an alarm answered half an hour ago and never resolved escalates it again")
    func staleAnswerReraises() {
        var engine = Fixture.engine()
        _ = engine.handle(Fixture.fall(101), at: t0)
        _ = engine.handle(Fixture.command(.acknowledge, "A1", as: "ns2"), at: t0 + 60)
        #expect(engine.handle(Fixture.fall(101), at: t0 + 600).notifications.isEmpty)
        let again = engine.handle(Fixture.fall(101), at: t0 + 60 + 1800)
        #expect(engine.openAlarms["A1"]?.state == .raised)
        #expect(engine.openAlarms["A1"]?.tier == 0)
        #expect(again.recipientIDs == ["ns1", "ns2"])
        #expect(
            again.audits.first { $0.action == .alarmReopened }?.detail["reason"]
                == "new event 30 min after ns2 answered")
        #expect(again.schedules.map(\.id) == ["A1:escalate"])
    }

    @Test("any member of staff may end a silence; only the allowed roles may set one")
    func anyoneEndsASilence() throws {
        var engine = Fixture.engine()
        _ = silence(&engine, resident: "r103")
        let id = try #require(engine.silences.keys.first)
        let ended = engine.handle(
            .silence(SilenceRequest(id: "e", staff: "ns1", change: .end(silence: id))), at: t0 + 5)
        #expect(ended.replies.first?.ok == true)
        #expect(engine.silences.isEmpty)
    }

    @Test("inactivity watches rooms with a resident only, and a new resident from the day after")
    func inactivityNeedsAResident() {
        let rule = Rule(
            id: "morning", events: [], alarm: "inactivity", severity: .high, policy: "standard",
            trigger: .inactivity(
                expect: [.doorOpened], from: DailyTime(hour: 6, minute: 0), by: DailyTime(hour: 9, minute: 0)))
        var site = Fixture.site()
        site.rules = [rule]
        site.residents.removeAll { $0.room == "102" }
        let engine = Engine(site: site)
        #expect(!engine.watchedRooms(by: rule).map(\.id).contains("102"))
        // Room 101 watched since the night; a new resident moves in at 07:00 local.
        var watched = Engine(site: site)
        _ = watched.handle(.supervise, at: instant("2026-01-15T01:00:00Z"))
        var moved = site
        moved.residents[0].id = "r-new"
        var after = Engine(site: moved, memories: Array(watched.memories.values))
        #expect(!after.handle(.supervise, at: instant("2026-01-15T08:00:00Z")).savedAlarms.map(\.room).contains("101"))
        #expect(after.memories["activity:morning:101"]?.resident == "r-new")
    }

    @Test("an absence wait whose memory could not be read still raises when its timer fires")
    func lostAbsenceMemory() {
        var site = Fixture.site()
        site.rules = [
            Rule(
                id: "door-left-open", events: [.doorOpened], alarm: "door-open", severity: .medium,
                policy: "standard", trigger: .absence(expect: [.doorClosed], withinSeconds: 300))
        ]
        var engine = Engine(site: site, lostMemories: ["absence:door-left-open:102"])
        let fire = TimerFire(
            id: "absence:door-left-open:102", alarm: "absence:door-left-open:102", purpose: .absence, due: t0)
        let raised = engine.handle(.timer(fire), at: t0)
        #expect(raised.savedAlarms.map(\.room) == ["102"])
        #expect(raised.savedAlarms.first?.kind == "door-open")
        // A reopened alarm's answer proves no chain either.
        _ = engine.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "assisted"), at: t0 + 10)
        var plain = Fixture.engine()
        _ = plain.handle(Fixture.fall(), at: t0)
        _ = plain.handle(Fixture.command(.resolve, "A1", as: "ns1", outcome: "assisted"), at: t0 + 10)
        _ = plain.handle(Fixture.command(.reopen, "A1", as: "sp1"), at: t0 + 20)
        let answer = plain.handle(Fixture.command(.acknowledge, "A1", as: "ns1"), at: t0 + 30)
        #expect(!answer.contains { if case .saveSource = $0 { true } else { false } })
    }

    @Test("midnight in a daylight-saving gap (Santiago, September) is found without looping")
    func midnightGap() throws {
        let calendar = SiteCalendar(timeZone: try #require(TimeZone(identifier: "America/Santiago")))
        let day = try #require(LocalDay("2026-09-06"))
        let midnight = calendar.instant(day, DailyTime(hour: 0, minute: 0))
        #expect(calendar.local(midnight).day == day)
        #expect(calendar.local(midnight).time == DailyTime(hour: 1, minute: 0))
        #expect(calendar.instant(day, DailyTime(hour: 0, minute: 30)) == midnight)
    }
}
