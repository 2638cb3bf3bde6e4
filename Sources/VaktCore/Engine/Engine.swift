import Foundation

/// Vakt's pure state machine: `(state, input, now) -> (state, [Effect])`.
///
/// The engine never reads a clock, sleeps or does I/O. It is handed the instant an input
/// happened and returns what must be stored, sent and scheduled; the runtime commits
/// those effects together with the input in one transaction.
public struct Engine: Sendable {
    public let site: Site
    /// Open alarms by id. Resolved alarms leave the engine once their effects are returned.
    public internal(set) var openAlarms: [String: Alarm]
    /// The number the next raised alarm gets.
    public internal(set) var nextNumber: Int
    /// The health of every device and bridge heard of or watched, by id.
    public internal(set) var sources: [String: SourceState]
    /// When the hub (re)started: silence is counted from here at the earliest.
    public var resumedAt: Date?
    /// Profiles whose devices can raise a care alarm (see `proofMaxAge`), worked out once.
    let provableProfiles: Set<String>

    /// Creates an engine, restoring the open alarms, numbering and device health from the store.
    public init(site: Site, openAlarms: [Alarm] = [], nextNumber: Int = 1, sources: [SourceState] = []) {
        self.site = site
        self.openAlarms = Dictionary(uniqueKeysWithValues: openAlarms.map { ($0.id, $0) })
        self.sources = Dictionary(sources.map { ($0.id, $0) }) { first, _ in first }
        self.provableProfiles = Self.provableProfiles(of: site)
        self.nextNumber = max(nextNumber, (openAlarms.compactMap(\.number).max() ?? 0) + 1)
    }

    /// Applies one input at `now` and returns its effects, in the order they happened.
    public mutating func handle(_ input: Input, at now: Date) -> [Effect] {
        switch input {
        case .device(let event): handleDevice(event, at: now)
        case .report(let report): handleReport(report, at: now)
        case .availability(let source, let online, let reason):
            handleAvailability(source: source, online: online, reason: reason, at: now)
        case .rejected(let source, let reason): handleRejected(source: source, reason: reason, at: now)
        case .inventory(let bridge, let problems): handleInventory(bridge: bridge, problems: problems, at: now)
        case .supervise: handleSupervise(at: now)
        case .command(let command): handleCommand(command, at: now)
        case .testMode(let request): handleTestMode(request, at: now)
        case .timer(let fire): handleTimer(fire, at: now)
        case .delivery(let report): handleDelivery(report, at: now)
        }
    }

    /// The open alarm a device's repeat would join, if any. A chain test and a real alarm never
    /// join each other: a real fall after a test must not pass for a test.
    public func openAlarm(device: String, kind: String, test: Bool = false) -> Alarm? {
        openAlarms.values.first { $0.device == device && $0.kind == kind && $0.isTest == test }
    }
}

// MARK: - Device events

extension Engine {
    mutating func handleDevice(_ event: DeviceEvent, at now: Date) -> [Effect] {
        var effects = availabilityRecord(event, at: now)
        guard let room = site.room(ofSource: event.device) else { return effects }
        for rule in site.rules where rule.clears.contains(event.kind) {
            if var alarm = openAlarm(device: event.device, kind: rule.alarm), alarm.rule == rule.id {
                effects += clear(&alarm, event: event, at: now)
            }
        }
        guard let rule = site.rules.first(where: { $0.events.contains(event.kind) }) else { return effects }
        let test = isChainTest(event.device, rule: rule, at: now)
        if var alarm = openAlarm(device: event.device, kind: rule.alarm, test: test) {
            return effects + join(&alarm, event: event, rule: rule, at: now)
        }
        return effects + raise(rule: rule, device: event.device, room: room, event: event, test: test, at: now)
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

    /// Resolves a technical alarm whose cause went away (the device is back, the battery was
    /// changed): the hub closes it with outcome `recovered`, and says so in the audit.
    private mutating func clear(_ alarm: inout Alarm, event: DeviceEvent, at now: Date) -> [Effect] {
        var effects: [Effect] = []
        if alarm.state == .raised { effects.append(.cancelTimer(id: timerID(alarm))) }
        alarm.state = .resolved
        alarm.resolvedAt = now
        alarm.resolvedBy = "hub"
        alarm.outcome = Outcome.recovered
        alarm.escalatesAt = nil
        openAlarms[alarm.id] = nil
        effects.append(
            .audit(
                AuditEntry(
                    at: now, actor: "device:\(event.device)", action: .alarmResolved, alarm: alarm.id,
                    detail: event.detail.merging(["event": event.kind.rawValue, "outcome": Outcome.recovered]) {
                        _, new in new
                    })))
        return [.saveAlarm(alarm)] + effects
    }

    private mutating func raise(
        rule: Rule, device: String, room: String, event: DeviceEvent, test: Bool = false, at now: Date
    ) -> [Effect] {
        var alarm = Alarm(
            id: "A\(nextNumber)", kind: rule.alarm, severity: rule.severity,
            resident: site.resident(inRoom: room)?.id, room: room, device: device,
            rule: rule.id, policy: rule.policy, raisedAt: now)
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
        openAlarms[alarm.id] = alarm

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
        openAlarms[alarm.id] = alarm
        return [.saveAlarm(alarm)] + effects
    }
}

// MARK: - Escalation

extension Engine {
    private func timerID(_ alarm: Alarm) -> String { "\(alarm.id):escalate" }

    /// When the alarm, entering its current tier at `now`, moves on if nobody answers.
    private func nextEscalation(of alarm: Alarm, at now: Date) -> Date? {
        guard let policy = site.policy(alarm.policy) else { return nil }
        let delay =
            alarm.tier + 1 < policy.tiers.count
            ? policy.tiers[alarm.tier + 1].afterSeconds : policy.repeatSeconds
        return now.addingTimeInterval(delay)
    }

    /// Records on the alarm who its current tier reaches and when it moves on, for dashboards.
    private func noteTier(of alarm: inout Alarm, at now: Date) {
        alarm.escalatesAt = nextEscalation(of: alarm, at: now)
        alarm.notified = people(inTier: alarm.tier, of: alarm).map(\.id)
    }

    /// Arms the timer that moves the alarm on: to the next tier, or a repeat of the last.
    private func scheduleNextEscalation(of alarm: Alarm, at now: Date) -> [Effect] {
        guard let due = alarm.escalatesAt ?? nextEscalation(of: alarm, at: now) else { return [] }
        return [.schedule(ScheduledTimer(id: timerID(alarm), alarm: alarm.id, purpose: .escalate, due: due))]
    }

    mutating func handleTimer(_ fire: TimerFire, at now: Date) -> [Effect] {
        if fire.purpose == .testEnd {
            return endTest(room: String(fire.alarm.dropFirst("room:".count)), actor: "hub", reason: "time up", at: now)
        }
        guard var alarm = openAlarms[fire.alarm], alarm.state == .raised else { return [] }
        // Due while the hub was down (or stuck): it escalates now, and the record says how late.
        let late = fire.due.map { now.timeIntervalSince($0) } ?? 0
        return escalate(
            &alarm, reason: "unacknowledged", at: now,
            detail: late >= Self.lateAfter ? ["late_seconds": String(Int(late.rounded()))] : [:])
    }

    /// Moves a raised alarm to its next tier (or repeats the last), notifies, and re-arms.
    /// A timer fired this many seconds or more after its due instant is recorded as late.
    static let lateAfter: Double = 5

    private mutating func escalate(
        _ alarm: inout Alarm, reason: String, at now: Date, detail extra: [String: String] = [:]
    ) -> [Effect] {
        guard let policy = site.policy(alarm.policy) else { return [] }
        if alarm.tier + 1 < policy.tiers.count {
            alarm.tier += 1
            alarm.round = 0
        } else {
            alarm.round += 1
        }
        noteTier(of: &alarm, at: now)
        openAlarms[alarm.id] = alarm
        var effects: [Effect] = [
            .saveAlarm(alarm),
            .audit(
                AuditEntry(
                    at: now, actor: "hub", action: .alarmEscalated, alarm: alarm.id,
                    detail: [
                        "tier": String(alarm.tier), "round": String(alarm.round), "reason": reason,
                    ].merging(extra) { _, new in new })),
        ]
        effects += notifyTier(of: alarm, at: now)
        effects += scheduleNextEscalation(of: alarm, at: now)
        return effects
    }

    /// Queues one notification per recipient and contact of the alarm's current tier.
    private func notifyTier(of alarm: Alarm, at now: Date) -> [Effect] {
        guard let policy = site.policy(alarm.policy), policy.tiers.indices.contains(alarm.tier) else {
            return []
        }
        let texts = Messages(site: site)
        var effects: [Effect] = []
        let targets = recipients(of: policy.tiers[alarm.tier], for: alarm)
        // A person with two contacts on one channel (phone and tablet) gets one message on
        // each; their keys differ by the contact's position. One contact keeps the short key.
        var perChannel: [String: Int] = [:]
        for (recipient, contact) in targets { perChannel["\(recipient.id):\(contact.channel)", default: 0] += 1 }
        var position: [String: Int] = [:]
        for (recipient, contact) in targets {
            let text = texts.notification(for: alarm, recipient: recipient)
            let slot = "\(recipient.id):\(contact.channel)"
            var key = "\(site.id):\(alarm.id):t\(alarm.tier):r\(alarm.round):\(slot)"
            if perChannel[slot, default: 0] > 1 {
                key += ":c\(position[slot, default: 0])"
                position[slot, default: 0] += 1
            }
            // Health detail (what happened, where) goes only to people entitled to it: the
            // structured fields travel next to the text, so they are withheld as the text is.
            let notification = Notification(
                key: key, alarm: alarm.id, tier: alarm.tier, round: alarm.round, channel: contact.channel,
                recipient: Recipient(
                    id: recipient.id, name: recipient.name, kind: recipient.kind,
                    address: contact.address),
                severity: alarm.severity,
                alarmKind: recipient.healthDetail ? alarm.kind : "",
                room: recipient.healthDetail ? alarm.room : "",
                title: text.title, body: text.body)
            effects.append(.enqueue(notification))
            effects.append(
                .audit(
                    AuditEntry(
                        at: now, actor: "hub", action: .notificationQueued, alarm: alarm.id,
                        channel: contact.channel, recipient: recipient.id,
                        detail: ["tier": String(alarm.tier), "round": String(alarm.round)])))
        }
        return effects
    }

    /// The people tier `tier` of the alarm's policy reaches, once each, in policy order
    /// (for dashboards: "who is next").
    public func people(inTier tier: Int, of alarm: Alarm) -> [Messages.Reader] {
        guard let policy = site.policy(alarm.policy), policy.tiers.indices.contains(tier) else { return [] }
        var seen = Set<String>()
        return recipients(of: policy.tiers[tier], for: alarm).map(\.0).filter { seen.insert($0.id).inserted }
    }

    /// The people a tier reaches, each with each of their contacts, without repeats.
    func recipients(of tier: Tier, for alarm: Alarm) -> [(Messages.Reader, Contact)] {
        var seen = Set<String>()
        var out: [(Messages.Reader, Contact)] = []
        func add(staff: Staff) {
            guard seen.insert("staff:\(staff.id)").inserted else { return }
            for contact in staff.contacts {
                out.append((Messages.Reader(id: staff.id, name: staff.name, kind: .staff, healthDetail: true), contact))
            }
        }
        for target in tier.notify {
            switch target {
            case .group(let id, let onDutyOnly):
                for member in site.group(id)?.members ?? [] {
                    if let staff = site.staffMember(member), staff.onDuty || !onDutyOnly { add(staff: staff) }
                }
            case .staff(let id):
                if let staff = site.staffMember(id) { add(staff: staff) }
            case .nextOfKin:
                // A chain test never reaches relatives, whatever the policy says.
                guard !alarm.isTest, let id = alarm.resident, let resident = site.resident(id) else { continue }
                for kin in resident.nextOfKin where kin.consentNotify {
                    guard seen.insert("kin:\(kin.id)").inserted else { continue }
                    for contact in kin.contacts {
                        out.append(
                            (
                                Messages.Reader(
                                    id: kin.id, name: kin.name, kind: .nextOfKin, healthDetail: kin.consentHealthDetail),
                                contact
                            ))
                    }
                }
            }
        }
        return out
    }
}

// MARK: - Delivery reports

extension Engine {
    mutating func handleDelivery(_ report: DeliveryReport, at now: Date) -> [Effect] {
        let n = report.notification
        let entry = { (action: AuditAction, result: String, detail: [String: String]) in
            AuditEntry(
                at: now, actor: "channel:\(n.channel)", action: action, alarm: n.alarm, channel: n.channel,
                recipient: n.recipient.id, result: result,
                detail: detail.merging(["attempt": String(report.attempt), "key": n.key]) { a, _ in a })
        }
        switch report.result {
        case .delivered:
            return [.audit(entry(.notificationDelivered, "delivered", [:]))]
        case .failed(let reason, _) where !report.final:
            return [.audit(entry(.notificationRetrying, "failed", ["reason": reason]))]
        case .failed(let reason, _):
            var effects: [Effect] = [.audit(entry(.notificationFailed, "failed", ["reason": reason]))]
            // A notification that failed for good is itself a reason to escalate: the person
            // it was for will not hear of the alarm.
            if var alarm = openAlarms[n.alarm], alarm.state == .raised, alarm.tier == n.tier,
                alarm.round == n.round
            {
                effects += escalate(&alarm, reason: "notification-failed", at: now)
            }
            return effects
        }
    }
}
