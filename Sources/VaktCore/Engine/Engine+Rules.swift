import Foundation

// MARK: - Device events

extension Engine {
    mutating func handleDevice(_ event: DeviceEvent, at now: Date) -> [Effect] {
        var effects = availabilityRecord(event, at: now)
        guard let roomID = site.room(ofSource: event.device) else { return effects }
        for rule in ruleIndex.clearing[event.kind] ?? [] {
            for var alarm in openAlarms.values
            where alarm.device == event.device && alarm.rule == rule.id && !alarm.isTest {
                effects += clear(&alarm, event: event, at: now)
            }
        }
        let room = site.room(roomID)
        let resident = site.resident(inRoom: roomID)
        effects += watchAbsences(event, room: roomID, resident: resident, at: now)
        effects += noteActivity(event, room: roomID, at: now)

        var chosen: Rule?
        for base in ruleIndex.raising[event.kind] ?? [] {
            if let rule = site.rule(base, for: resident),
                applies(rule, to: event, room: room, resident: resident, at: now)
            {
                chosen = rule
                break
            }
        }
        guard let rule = chosen else { return effects }
        let test = isChainTest(event.device, rule: rule, at: now)
        let key = dedupKey(rule, device: event.device, room: roomID, resident: resident?.id, test: test)
        if var alarm = openAlarm(key: key) {
            return effects + join(&alarm, event: event, rule: rule, at: now)
        }
        if case .count(let times, let within) = rule.trigger {
            let id = "count:\(rule.id):\(key)"
            var memory = memories[id] ?? RuleMemory(id: id, rule: rule.id)
            memory.instants = memory.instants.filter { now.timeIntervalSince($0) < within } + [now]
            guard memory.instants.count >= times else {
                memories[id] = memory
                return effects + [.saveMemory(memory)]
            }
            memories[id] = nil
            effects.append(.forgetMemory(id: id))
        }
        return effects
            + raise(rule: rule, device: event.device, room: roomID, event: event, key: key, test: test, at: now)
    }

    /// Whether an event-raising rule takes `event`: its kind, where it comes from, what it
    /// says, and the time of day.
    func applies(_ rule: Rule, to event: DeviceEvent, room: Room?, resident: Resident?, at now: Date) -> Bool {
        rule.events.contains(event.kind)
            && rule.match.matches(device: event.device, room: room, resident: resident)
            && rule.match.matches(detail: event.detail)
            && (rule.when?.contains(now, in: site.calendar) ?? true)
    }

    /// The key that makes two events the same alarm: the rule's scope and the alarm kind. A
    /// chain test and a real alarm never share one: a real fall after a test must not pass
    /// for a test.
    func dedupKey(_ rule: Rule, device: String, room: String, resident: String?, test: Bool) -> String {
        Self.dedupKey(rule, device: device, room: room, resident: resident, test: test)
    }

    static func dedupKey(_ rule: Rule, device: String, room: String, resident: String?, test: Bool) -> String {
        let scope: String
        // A chain test proves one device: each device's test is its own alarm.
        switch test ? .device : rule.dedup {
        case .resident: scope = resident.map { "resident:\($0)" } ?? "room:\(room)"
        case .room: scope = "room:\(room)"
        case .device: scope = "device:\(device)"
        }
        return "\(scope):\(rule.alarm)" + (test ? ":test" : "")
    }

    /// A device or bridge going offline, silent, or coming back is in the audit whatever the
    /// rules make of it: reports read device uptime from these records.
    private func availabilityRecord(_ event: DeviceEvent, at now: Date) -> [Effect] {
        let action: AuditAction
        switch event.kind {
        case .deviceOffline, .deviceSilent, .testMissed, .bridgeOffline: action = .deviceOffline
        case .deviceOnline, .bridgeOnline: action = .deviceOnline
        default: return []
        }
        // Silence is the hub's finding; the rest the device or its bridge said.
        let actor = event.kind == .deviceSilent || event.kind == .testMissed ? "hub" : "device:\(event.device)"
        return [
            .audit(
                AuditEntry(
                    at: now, actor: actor, action: action,
                    detail: ["source": event.device, "event": event.kind.rawValue, "reason": event.raw ?? ""]))
        ]
    }

    /// Resolves an alarm whose cause went away (the device is back, the battery was changed,
    /// the door closed): the hub closes it with outcome `recovered`, and says so in the audit.
    private mutating func clear(_ alarm: inout Alarm, event: DeviceEvent, at now: Date) -> [Effect] {
        var effects: [Effect] = []
        if alarm.state == .raised { effects.append(.cancelTimer(id: timerID(alarm))) }
        alarm.state = .resolved
        alarm.resolvedAt = now
        alarm.resolvedBy = "hub"
        alarm.outcome = Outcome.recovered
        alarm.escalatesAt = nil
        closed(alarm)
        effects.append(
            .audit(
                AuditEntry(
                    at: now, actor: "device:\(event.device)", action: .alarmResolved, alarm: alarm.id,
                    detail: event.detail.merging(["event": event.kind.rawValue, "outcome": Outcome.recovered]) {
                        _, new in new
                    })))
        return [.saveAlarm(alarm)] + effects
    }

    /// Takes a resolved alarm out of the open ones, keeping it for hold-offs and reopening.
    mutating func closed(_ alarm: Alarm) {
        openAlarms[alarm.id] = nil
        if openByKey[alarm.dedupKey] == alarm.id { openByKey[alarm.dedupKey] = nil }
        recentlyResolved[alarm.dedupKey] = alarm
    }

    /// What holds back a new alarm with this key: a silence over its resident or room, or the
    /// rule's hold-off after the last alarm with the key was resolved.
    private func suppression(of rule: Rule, key: String, resident: String?, room: String, test: Bool, at now: Date)
        -> [String: String]?
    {
        // A device problem is raised even while its room or resident is silenced, and never
        // held off: it goes to technical staff, and an edge-triggered one (silent, offline, a
        // low battery) would not come again once the silence ended.
        guard !test, !rule.isTechnical else { return nil }
        if !site.silencing.never.contains(rule.alarm),
            let silence = silences.values.sorted(by: { $0.id < $1.id }).first(where: {
                $0.covers(kind: rule.alarm, resident: resident, room: room, at: now)
            })
        {
            return [
                "reason": "silenced", "silence": silence.id,
                "until": RFC3339.string(from: silence.until, in: site.timeZone),
            ]
        }
        // A resolve "in the future" means the clock went back since (and the hub restarted, or
        // the step would have moved it): the hold-off cannot be judged, so it does not hold.
        if rule.holdOffSeconds > 0, let last = recentlyResolved[key], let resolvedAt = last.resolvedAt,
            (0..<rule.holdOffSeconds).contains(now.timeIntervalSince(resolvedAt))
        {
            return ["reason": "hold-off", "after": last.id, "hold_off": "\(Int(rule.holdOffSeconds))s"]
        }
        return nil
    }

    mutating func raise(
        rule: Rule, device: String, room: String, event: DeviceEvent, key: String, test: Bool = false, at now: Date
    ) -> [Effect] {
        let resident = site.resident(inRoom: room)?.id
        if let why = suppression(of: rule, key: key, resident: resident, room: room, test: test, at: now) {
            // Not raised, but on record: a silenced fall must be findable afterwards.
            var detail = event.detail.merging(why) { _, new in new }
            detail["event"] = event.kind.rawValue
            detail["rule"] = rule.id
            detail["kind"] = rule.alarm
            detail["room"] = room
            if let resident { detail["resident"] = resident }
            return [.audit(AuditEntry(at: now, actor: "device:\(device)", action: .alarmSuppressed, detail: detail))]
        }
        var alarm = Alarm(
            id: "A\(nextNumber)", kind: rule.alarm, severity: rule.severity, resident: resident, room: room,
            device: device, rule: rule.id, policy: rule.policy, raisedAt: now)
        alarm.key = key
        var testEffects: [Effect] = []
        if test, let policy = site.proof.testPolicy {
            // The device's one chain test in this test mode, under the test policy.
            alarm.test = true
            alarm.policy = policy
            if var state = sources[device] {
                state.testAlarm = alarm.id
                sources[device] = state
                testEffects.append(.saveSource(state))
            }
        }
        noteTier(of: &alarm, at: now)
        nextNumber += 1
        opened(alarm)

        var detail = [
            "event": event.kind.rawValue, "severity": alarm.severity.rawValue, "room": alarm.room, "rule": rule.id,
            "raw": event.raw ?? "",
        ]
        if alarm.isTest { detail["test"] = "true" }
        var effects: [Effect] = [
            .saveAlarm(alarm),
            .audit(
                AuditEntry(
                    at: now, actor: "device:\(device)", action: .alarmRaised, alarm: alarm.id,
                    detail: event.detail.merging(detail) { _, new in new })),
        ]
        effects += notifyTier(of: alarm, at: now)
        effects += scheduleNextEscalation(of: alarm, at: now)
        effects += skipTierIfNobody(&alarm, at: now)
        return testEffects + effects
    }

    private mutating func join(_ alarm: inout Alarm, event: DeviceEvent, rule: Rule, at now: Date) -> [Effect] {
        alarm.repeats += 1
        alarm.lastEventAt = now
        var effects: [Effect] = [
            .audit(
                AuditEntry(
                    at: now, actor: "device:\(event.device)", action: .alarmJoined, alarm: alarm.id,
                    detail: event.detail.merging(["event": event.kind.rawValue, "repeats": String(alarm.repeats)]) {
                        _, new in new
                    }))
        ]
        if rule.severity > alarm.severity {
            effects.append(
                .audit(
                    AuditEntry(
                        at: now, actor: "device:\(event.device)", action: .alarmUpgraded,
                        alarm: alarm.id,
                        detail: ["from": alarm.severity.rawValue, "to": rule.severity.rawValue])))
            alarm.severity = rule.severity
        }
        // Nuisance throttling: a door left open reminds once per interval, not per message.
        if let every = rule.renotifySeconds, alarm.state == .raised,
            now.timeIntervalSince(alarm.renotifiedAt ?? alarm.raisedAt) >= every
        {
            alarm.renotifiedAt = now
            effects += notifyTier(of: alarm, at: now, repeatOf: alarm.repeats)
        }
        // Acknowledged long ago and never resolved: this is news nobody may be waiting for (the
        // holder went off shift). The alarm escalates again from its first tier.
        if alarm.state != .raised, !rule.isTechnical,
            let since = alarm.onsiteAt ?? alarm.acknowledgedAt, now.timeIntervalSince(since) >= Self.staleAnswer
        {
            let holder = alarm.onsiteBy ?? alarm.acknowledgedBy ?? ""
            effects += reraise(
                &alarm, actor: "device:\(event.device)",
                detail: [
                    "reason": "new event \(Int(now.timeIntervalSince(since) / 60)) min after \(holder) answered",
                    "event": event.kind.rawValue,
                ],
                at: now)
            openAlarms[alarm.id] = alarm
            return [.saveAlarm(alarm)] + effects
        }
        // Someone has the alarm, but this may be news to them: another device saw it too (a
        // second fall sensor), or a rule's wait or daily check found it again.
        if alarm.state != .raised, event.device != alarm.device || !rule.raisesOnEvent,
            let holder = (alarm.onsiteBy ?? alarm.acknowledgedBy).flatMap(site.staffMember)
        {
            effects += notify(holder, of: alarm, at: now, repeatOf: alarm.repeats)
        }
        openAlarms[alarm.id] = alarm
        return [.saveAlarm(alarm)] + effects
    }
}

// MARK: - Absence and inactivity

extension Engine {
    /// Starts the wait of each absence rule `event` begins, and ends the waits in the room it
    /// was expected in.
    private mutating func watchAbsences(_ event: DeviceEvent, room: String, resident: Resident?, at now: Date)
        -> [Effect]
    {
        var effects: [Effect] = []
        for base in ruleIndex.absence[event.kind] ?? [] {
            guard case .absence(let expect, let within) = base.trigger else { continue }
            let id = "absence:\(base.id):\(room)"
            if expect.contains(event.kind), memories[id] != nil {
                memories[id] = nil
                effects += [.forgetMemory(id: id), .cancelTimer(id: id)]
                continue
            }
            guard memories[id] == nil, let rule = site.rule(base, for: resident),
                applies(rule, to: event, room: site.room(room), resident: resident, at: now)
            else { continue }
            let memory = RuleMemory(id: id, rule: rule.id, instants: [now], device: event.device)
            memories[id] = memory
            effects += [
                .saveMemory(memory),
                .schedule(
                    ScheduledTimer(id: id, alarm: id, purpose: .absence, due: now.addingTimeInterval(within))),
            ]
        }
        return effects
    }

    /// An absence rule's wait ran out without the expected event: raise its alarm. A wait that
    /// ran out while the hub was down waits for the devices' queued messages first.
    mutating func absenceElapsed(_ fire: TimerFire, at now: Date) -> [Effect] {
        if memories[fire.alarm] == nil, lostMemories.contains(fire.alarm) {
            return lostAbsenceElapsed(fire, at: now)
        }
        if let resumedAt, let due = fire.due, due < resumedAt, now < resumedAt.addingTimeInterval(Self.restartGrace),
            memories[fire.alarm] != nil
        {
            return [
                .schedule(
                    ScheduledTimer(
                        id: fire.id, alarm: fire.alarm, purpose: .absence,
                        due: resumedAt.addingTimeInterval(Self.restartGrace)))
            ]
        }
        guard let memory = memories[fire.alarm], let device = memory.device,
            let base = ruleIndex.byID[memory.rule],
            case .absence(let expect, let within) = base.trigger, let room = site.room(ofSource: device)
        else {
            // The rule was changed or removed since the wait began.
            memories[fire.alarm] = nil
            return [.forgetMemory(id: fire.alarm)]
        }
        memories[fire.alarm] = nil
        var effects: [Effect] = [.forgetMemory(id: fire.alarm)]
        let resident = site.resident(inRoom: room)
        guard let rule = site.rule(base, for: resident) else { return effects }
        let started = memory.instants.first.map { RFC3339.string(from: $0, in: site.timeZone) } ?? ""
        let event = DeviceEvent(
            kind: rule.events.first ?? .doorOpened, device: device,
            raw: "no \(expect.map(\.rawValue).joined(separator: " or ")) within \(Int(within))s",
            detail: ["waited_since": started])
        let key = dedupKey(rule, device: device, room: room, resident: resident?.id, test: false)
        if var alarm = openAlarm(key: key) {
            return effects + join(&alarm, event: event, rule: rule, at: now)
        }
        effects += raise(rule: rule, device: device, room: room, event: event, key: key, at: now)
        return effects
    }

    /// An absence wait whose stored memory could not be read: its timer names the rule and the
    /// room (`absence:<rule>:<room>`), which is enough to raise the alarm on a device of the
    /// room rather than lose it.
    private mutating func lostAbsenceElapsed(_ fire: TimerFire, at now: Date) -> [Effect] {
        let parts = fire.alarm.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        guard let split = parts.lastIndex(of: ":") else { return [] }
        let ruleID = String(parts[..<split])
        let roomID = String(parts[parts.index(after: split)...])
        guard let base = ruleIndex.byID[ruleID], let room = site.room(roomID) else { return [] }
        let resident = site.resident(inRoom: roomID)
        guard let rule = site.rule(base, for: resident),
            let device = site.devices.first(where: {
                $0.room == roomID && base.match.matches(device: $0.id, room: room, resident: resident)
            }) ?? site.devices.first(where: { $0.room == roomID })
        else { return [] }
        let event = DeviceEvent(
            kind: rule.events.first ?? .doorOpened, device: device.id,
            raw: "the wait ran out; what started it could not be read back from the store")
        let key = dedupKey(rule, device: device.id, room: roomID, resident: resident?.id, test: false)
        if var alarm = openAlarm(key: key) { return join(&alarm, event: event, rule: rule, at: now) }
        return raise(rule: rule, device: device.id, room: roomID, event: event, key: key, at: now)
    }

    /// The rooms an inactivity rule watches, worked out once per engine (`watched`).
    func watchedRooms(by rule: Rule) -> [Room] { watched[rule.id] ?? [] }

    /// The rooms each inactivity rule of `site` watches: each room with a resident and a
    /// device the rule's match allows. An empty flat is not inactive.
    static func watchedRooms(in site: Site) -> [String: [Room]] {
        var watched: [String: [Room]] = [:]
        for rule in site.rules {
            guard case .inactivity = rule.trigger else { continue }
            watched[rule.id] = rooms(watchedBy: rule, in: site)
        }
        return watched
    }

    private static func rooms(watchedBy rule: Rule, in site: Site) -> [Room] {
        site.rooms.filter { room in
            guard let resident = site.resident(inRoom: room.id) else { return false }
            return site.devices.contains {
                $0.room == room.id && rule.match.matches(device: $0.id, room: room, resident: resident)
            }
        }
    }

    /// Notes activity in a room for the inactivity rules that expect it.
    private mutating func noteActivity(_ event: DeviceEvent, room: String, at now: Date) -> [Effect] {
        var effects: [Effect] = []
        for rule in ruleIndex.activity[event.kind] ?? [] {
            guard rule.match.matches(detail: event.detail) else { continue }
            let id = "activity:\(rule.id):\(room)"
            guard watchedRooms(by: rule).contains(where: { $0.id == room }) else { continue }
            var memory =
                memories[id]
                ?? RuleMemory(id: id, rule: rule.id, since: now, resident: site.resident(inRoom: room)?.id)
            // One instant is enough; written at most once a minute, not for every message, but
            // always the first time inside today's window.
            if case .inactivity(_, let from, _) = rule.trigger, let last = memory.instants.last,
                now.timeIntervalSince(last) < 60,
                last >= site.calendar.instant(site.calendar.local(now).day, from)
                    || now < site.calendar.instant(site.calendar.local(now).day, from)
            {
                continue
            }
            memory.instants = [now]
            memories[id] = memory
            effects.append(.saveMemory(memory))
        }
        return effects
    }

    /// The inactivity deadline of a rule in a room on the day of `now`, and the day.
    private func inactivityDeadline(from: DailyTime, by: DailyTime, at now: Date) -> (
        day: LocalDay, start: Date, deadline: Date
    ) {
        let day = site.calendar.local(now).day
        return (day, site.calendar.instant(day, from), site.calendar.instant(day, by))
    }

    /// An alarm acknowledged (or attended) this long ago and not resolved escalates again
    /// when a new event joins it.
    public static let staleAnswer: Double = 1800

    /// After a restart the devices' queued messages come first: a deadline missed while the
    /// hub was down (an inactivity check, an absence wait) is acted on this long after it is back.
    static let restartGrace: Double = 120

    /// Raises inactivity for every watched room with no expected activity between `from` and
    /// `by` today, once per day, after `by`.
    mutating func checkInactivity(at now: Date) -> [Effect] {
        var effects: [Effect] = []
        for base in site.rules {
            guard case .inactivity(_, let from, let by) = base.trigger else { continue }
            let (day, start, deadline) = inactivityDeadline(from: from, by: by, at: now)
            let ready = max(deadline, (resumedAt ?? .distantPast).addingTimeInterval(Self.restartGrace))
            for room in watchedRooms(by: base) {
                let id = "activity:\(base.id):\(room.id)"
                let residentID = site.resident(inRoom: room.id)?.id
                var memory = memories[id] ?? RuleMemory(id: id, rule: base.id, since: now, resident: residentID)
                if memory.resident != nil, memory.resident != residentID {
                    // Someone new lives here: their watch starts now.
                    memory = RuleMemory(id: id, rule: base.id, since: now, resident: residentID)
                    memories[id] = nil
                }
                if memory.day == day.description { continue }
                if memories[id] == nil {
                    // The watch starts here, and says so in the store: at the deadline, a room
                    // watched since before `from` with no activity seen is inactive.
                    memories[id] = memory
                    effects.append(.saveMemory(memory))
                }
                if let since = memory.since, since > start, now >= deadline {
                    // Watching began after `from` today: what happened before is not known.
                    memory.day = day.description
                    memories[id] = memory
                    effects.append(.saveMemory(memory))
                    continue
                }
                guard now >= ready else { continue }
                memory.day = day.description
                memories[id] = memory
                effects.append(.saveMemory(memory))
                if let last = memory.instants.last, last >= start { continue }
                let resident = site.resident(inRoom: room.id)
                guard let rule = site.rule(base, for: resident),
                    let device = site.devices.first(where: {
                        $0.room == room.id && base.match.matches(device: $0.id, room: room, resident: resident)
                    })
                else { continue }
                let seen = memory.instants.last.map { RFC3339.string(from: $0, in: site.timeZone) }
                let event = DeviceEvent(
                    kind: .inactivity, device: device.id,
                    raw: "no activity between \(from) and \(by)",
                    detail: ["last_activity": seen ?? "none seen"])
                let key = dedupKey(rule, device: device.id, room: room.id, resident: resident?.id, test: false)
                if var alarm = openAlarm(key: key) {
                    effects += join(&alarm, event: event, rule: rule, at: now)
                } else {
                    effects += raise(rule: rule, device: device.id, room: room.id, event: event, key: key, at: now)
                }
            }
        }
        return effects
    }

    /// The next instant an inactivity rule must look at a room.
    func nextInactivityDeadline(now: Date) -> Date? {
        var next: Date?
        for rule in site.rules {
            guard case .inactivity(_, let from, let by) = rule.trigger else { continue }
            let (day, _, deadline) = inactivityDeadline(from: from, by: by, at: now)
            let done = watchedRooms(by: rule).allSatisfy {
                memories["activity:\(rule.id):\($0.id)"]?.day == day.description
            }
            let due =
                done
                ? site.calendar.instant(day.adding(days: 1), by)
                : max(deadline, (resumedAt ?? .distantPast).addingTimeInterval(Self.restartGrace))
            if next.map({ due < $0 }) ?? true { next = due }
        }
        return next
    }

    /// Drops resolved alarms too old to reopen or hold anything off.
    mutating func forgetOldResolved(at now: Date) {
        recentlyResolved = recentlyResolved.filter {
            now.timeIntervalSince($0.value.resolvedAt ?? .distantPast) < Self.recentWindow
        }
    }
}
