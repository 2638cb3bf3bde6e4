import Foundation
import HashTreeCollections

/// Vakt's pure state machine: `(state, input, now) -> (state, [Effect])`.
///
/// The engine never reads a clock, sleeps or does I/O. It is handed the instant an input
/// happened and returns what must be stored, sent and scheduled; the runtime commits
/// those effects together with the input in one transaction.
public struct Engine: Sendable {
    public let site: Site
    /// Open alarms by id. Resolved alarms leave the engine once their effects are returned.
    public internal(set) var openAlarms: TreeDictionary<String, Alarm>
    /// The number the next raised alarm gets.
    public internal(set) var nextNumber: Int
    /// The health of every device and bridge heard of or watched, by id.
    public internal(set) var sources: TreeDictionary<String, SourceState>
    /// When the hub (re)started: silence is counted from here at the earliest.
    public var resumedAt: Date?
    /// Profiles whose devices can raise a care alarm (see `proofMaxAge`), worked out once.
    let provableProfiles: Set<String>
    /// What counting, absence and inactivity rules remember, by memory id.
    public internal(set) var memories: TreeDictionary<String, RuleMemory>
    /// Silences in force or yet to start, by id.
    public internal(set) var silences: [String: Silence]
    /// The last alarm resolved for each dedup key within `recentWindow`: for hold-offs and
    /// reopening.
    public internal(set) var recentlyResolved: TreeDictionary<String, Alarm>

    /// The open alarm's id for each dedup key, so a repeat finds the alarm it joins at once.
    var openByKey: TreeDictionary<String, String>
    /// Which rules each event kind concerns, worked out once.
    let ruleIndex: RuleIndex
    /// The rooms each inactivity rule watches, by rule id.
    let watched: [String: [Room]]

    /// Rule memories the store holds but could not read: an absence wait among them still
    /// raises its alarm when its timer fires.
    let lostMemories: Set<String>

    /// How long a resolved alarm stays reopenable, and the longest hold-off.
    public static let recentWindow: Double = 86400

    /// Creates an engine, restoring the open alarms, numbering, device health, rule memories,
    /// silences and recently resolved alarms from the store.
    public init(
        site: Site, openAlarms: [Alarm] = [], nextNumber: Int = 1, sources: [SourceState] = [],
        memories: [RuleMemory] = [], silences: [Silence] = [], recentlyResolved: [Alarm] = [],
        lostMemories: Set<String> = []
    ) {
        self.lostMemories = lostMemories
        self.site = site
        // Alarms stored before dedup keys existed get the key their rule gives them now, so
        // a repeat after the upgrade joins them as it would have before.
        let rules = RuleIndex(site.rules)
        func keyed(_ alarm: Alarm) -> Alarm {
            guard alarm.key == nil, let rule = rules.byID[alarm.rule] else { return alarm }
            var alarm = alarm
            alarm.key = Self.dedupKey(
                rule, device: alarm.device, room: alarm.room, resident: alarm.resident, test: alarm.isTest)
            return alarm
        }
        let openAlarms = openAlarms.map(keyed)
        let recentlyResolved = recentlyResolved.map(keyed)
        self.ruleIndex = rules
        self.openAlarms = TreeDictionary(uniqueKeysWithValues: openAlarms.map { ($0.id, $0) })
        self.openByKey = TreeDictionary(openAlarms.map { ($0.dedupKey, $0.id) }) { first, _ in first }
        self.sources = TreeDictionary(sources.map { ($0.id, $0) }) { first, _ in first }
        self.memories = TreeDictionary(memories.map { ($0.id, $0) }) { first, _ in first }
        self.silences = Dictionary(silences.map { ($0.id, $0) }) { first, _ in first }
        var recent: TreeDictionary<String, Alarm> = [:]
        for alarm in recentlyResolved.sorted(by: { ($0.resolvedAt ?? .distantPast) < ($1.resolvedAt ?? .distantPast) })
        {
            recent[alarm.dedupKey] = alarm
        }
        self.recentlyResolved = recent
        self.provableProfiles = Self.provableProfiles(of: site)
        self.watched = Self.watchedRooms(in: site)
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
        case .silence(let request): handleSilence(request, at: now)
        case .timer(let fire): handleTimer(fire, at: now)
        case .delivery(let report): handleDelivery(report, at: now)
        case .clockStepped(let step): handleClockStep(step, at: now)
        }
    }

    /// The open alarm a repeat with this dedup key would join, if any.
    public func openAlarm(key: String) -> Alarm? {
        openByKey[key].flatMap { openAlarms[$0] }
    }

    /// Puts a newly raised or reopened alarm among the open ones.
    mutating func opened(_ alarm: Alarm) {
        openAlarms[alarm.id] = alarm
        openByKey[alarm.dedupKey] = alarm.id
    }
}

// MARK: - Escalation

extension Engine {
    func timerID(_ alarm: Alarm) -> String { "\(alarm.id):escalate" }

    /// When the alarm, entering its current tier at `now`, moves on if nobody answers.
    private func nextEscalation(of alarm: Alarm, at now: Date) -> Date? {
        guard let policy = site.policy(alarm.policy) else { return nil }
        let delay =
            alarm.tier + 1 < policy.tiers.count
            ? policy.tiers[alarm.tier + 1].afterSeconds : policy.repeatSeconds
        return now.addingTimeInterval(delay)
    }

    /// Records on the alarm who its current tier reaches and when it moves on, for dashboards.
    func noteTier(of alarm: inout Alarm, at now: Date) {
        alarm.escalatesAt = nextEscalation(of: alarm, at: now)
        alarm.notified = people(inTier: alarm.tier, of: alarm, at: now).map(\.id)
    }

    /// Arms the timer that moves the alarm on: to the next tier, or a repeat of the last.
    func scheduleNextEscalation(of alarm: Alarm, at now: Date) -> [Effect] {
        guard let due = alarm.escalatesAt ?? nextEscalation(of: alarm, at: now) else { return [] }
        return [.schedule(ScheduledTimer(id: timerID(alarm), alarm: alarm.id, purpose: .escalate, due: due))]
    }

    mutating func handleTimer(_ fire: TimerFire, at now: Date) -> [Effect] {
        switch fire.purpose {
        case .testEnd:
            return endTest(room: String(fire.alarm.dropFirst("room:".count)), actor: "hub", reason: "time up", at: now)
        case .absence: return absenceElapsed(fire, at: now)
        case .silenceEnd: return endSilence(fire.alarm, actor: "hub", reason: "expired", at: now)
        case .escalate: break
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
        effects += skipTierIfNobody(&alarm, at: now)
        return effects
    }

    /// A tier that reaches nobody (nobody of it on duty, relatives in their quiet hours) must
    /// not cost the alarm its delay: it moves straight on to the next tier, on record.
    mutating func skipTierIfNobody(_ alarm: inout Alarm, at now: Date) -> [Effect] {
        guard alarm.state == .raised, alarm.notified?.isEmpty ?? false, let policy = site.policy(alarm.policy),
            alarm.tier + 1 < policy.tiers.count
        else { return [] }
        return escalate(&alarm, reason: "nobody-reached", at: now)
    }

    /// Queues one notification per recipient and contact of the alarm's current tier;
    /// `repeatOf` marks a reminder for the alarm's n-th joined repeat (`renotify`).
    mutating func notifyTier(of alarm: Alarm, at now: Date, repeatOf: Int? = nil) -> [Effect] {
        let reach = reach(tier: alarm.tier, of: alarm, at: now)
        var effects = enqueue(
            reach.reached, about: alarm, at: now, repeatOf: repeatOf,
            detail: reach.fallback ? ["fallback": "all staff: nobody in the last tier is reachable"] : [:])
        // Relatives in their quiet hours are not woken; the record says who was spared.
        for kin in reach.withheld {
            effects.append(
                .audit(
                    AuditEntry(
                        at: now, actor: "hub", action: .notificationWithheld, alarm: alarm.id, recipient: kin,
                        result: "withheld",
                        detail: ["tier": String(alarm.tier), "round": String(alarm.round), "reason": "quiet-hours"])))
        }
        return effects
    }

    /// Tells the staff member who has an alarm that something joined it.
    mutating func notify(_ staff: Staff, of alarm: Alarm, at now: Date, repeatOf: Int) -> [Effect] {
        let reader = Messages.Reader(id: staff.id, name: staff.name, kind: .staff, healthDetail: true)
        return enqueue(
            Self.firstChannel(of: staff.contacts).map { (reader, $0) }, about: alarm, at: now, repeatOf: repeatOf,
            detail: ["reason": "joined while \(alarm.state.rawValue)"])
    }

    /// Queues one notification per person and contact, each with its own idempotency key, and
    /// audits each.
    private mutating func enqueue(
        _ targets: [(Messages.Reader, Contact)], about alarm: Alarm, at now: Date, repeatOf: Int?,
        detail extra: [String: String]
    ) -> [Effect] {
        let texts = Messages(site: site)
        var effects: [Effect] = []
        // A person with two contacts on one channel (phone and tablet) gets one message on
        // each; their keys differ by the contact's position. One contact keeps the short key.
        var perChannel: [String: Int] = [:]
        for (recipient, contact) in targets { perChannel["\(recipient.id):\(contact.channel)", default: 0] += 1 }
        var position: [String: Int] = [:]
        var written: [String: (title: String, body: String)] = [:]
        var charged = Set<String>()
        var limited = Set<String>()
        for (recipient, contact) in targets {
            // The text depends on the kind of reader only: written once per kind, not per person.
            let kind = site.channel(contact.channel)?.kind
            let textKey = "\(recipient.kind.rawValue):\(recipient.healthDetail):\(kind?.rawValue ?? "")"
            let text = written[textKey] ?? texts.notification(for: alarm, recipient: recipient, at: now, channel: kind)
            written[textKey] = text
            let slot = "\(recipient.id):\(contact.channel)"
            var key = "\(site.id):\(alarm.id):t\(alarm.tier):r\(alarm.round):\(slot)"
            if let repeatOf { key += ":j\(repeatOf)" }
            // A reopened alarm notifies its tiers anew.
            if let reopened = alarm.reopened { key += ":o\(reopened)" }
            if perChannel[slot, default: 0] > 1 {
                key += ":c\(position[slot, default: 0])"
                position[slot, default: 0] += 1
            }
            // A channel's rate limit holds back all but critical alarms to relatives and response
            // centres, on record, counted once per person and channel. Staff are never held
            // back: an alarm must reach someone who can help.
            let rateID = "rate:\(contact.channel):\(recipient.id)"
            if let limit = site.channel(contact.channel)?.rateLimit, alarm.severity < .critical, !alarm.isTest,
                recipient.kind != .staff, !charged.contains(rateID)
            {
                charged.insert(rateID)
                let id = rateID
                var memory = memories[id] ?? RuleMemory(id: id, rule: "rate-limit")
                memory.instants = memory.instants.filter { now.timeIntervalSince($0) < limit.perSeconds }
                if memory.instants.count >= limit.max {
                    limited.insert(rateID)
                    effects.append(
                        .audit(
                            AuditEntry(
                                at: now, actor: "hub", action: .notificationWithheld, alarm: alarm.id,
                                channel: contact.channel, recipient: recipient.id, result: "withheld",
                                detail: [
                                    "tier": String(alarm.tier), "round": String(alarm.round), "reason": "rate-limit",
                                    "limit": "\(limit.max) per \(Int(limit.perSeconds))s",
                                ])))
                    continue
                }
                memory.instants.append(now)
                memories[id] = memory
                effects.append(.saveMemory(memory))
            }
            if limited.contains(rateID) { continue }
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
                        detail: extra.merging(["tier": String(alarm.tier), "round": String(alarm.round)]) { _, new in
                            new
                        })))
        }
        return effects
    }

    /// Whom tier `tier` of the alarm's policy reaches at `now`. A last tier that reaches
    /// nobody (nobody of it on duty by the roster) falls back to the staff on duty, or to
    /// every member of staff when nobody is: an alarm must never repeat to nobody.
    func reach(tier: Int, of alarm: Alarm, at now: Date) -> (
        reached: [(Messages.Reader, Contact)], withheld: [String], fallback: Bool
    ) {
        guard let policy = site.policy(alarm.policy), policy.tiers.indices.contains(tier) else {
            return ([], [], false)
        }
        let (reached, withheld) = recipients(of: policy.tiers[tier], for: alarm, at: now)
        guard reached.isEmpty, tier == policy.tiers.count - 1 else { return (reached, withheld, false) }
        // Whoever is on duty; if nobody is, everyone.
        let onDuty = site.staffOnDuty(at: now)
        let fallback = (onDuty.contains { !$0.contacts.isEmpty } ? onDuty : site.staff).flatMap { staff in
            Self.firstChannel(of: staff.contacts).map {
                (Messages.Reader(id: staff.id, name: staff.name, kind: .staff, healthDetail: true), $0)
            }
        }
        return (fallback, withheld, !fallback.isEmpty)
    }

    /// A person's contacts on their first channel (a phone and a tablet on one push channel
    /// both get the message); their other channels are failovers, in the order given.
    static func firstChannel(of contacts: [Contact]) -> [Contact] {
        guard let first = contacts.first?.channel else { return [] }
        return contacts.filter { $0.channel == first }
    }

    /// A person's contacts on the channel after `channel` in their list, if any.
    static func channel(after channel: String, in contacts: [Contact]) -> [Contact] {
        var order: [String] = []
        for contact in contacts where !order.contains(contact.channel) { order.append(contact.channel) }
        guard let index = order.firstIndex(of: channel), index + 1 < order.count else { return [] }
        return contacts.filter { $0.channel == order[index + 1] }
    }

    /// Why a relative may not be sent a failover message now: consent withdrawn, or their
    /// quiet hours (only critical alarms pass then).
    func kinMayNotBeTold(_ recipient: Recipient, about alarm: Alarm, at now: Date) -> String? {
        guard recipient.kind == .nextOfKin else { return nil }
        guard let kin = site.nextOfKin(recipient.id), kin.consentNotify else { return "no-consent" }
        return isQuiet(kin, for: alarm, override: .critical, at: now) ? "quiet-hours" : nil
    }

    /// A relative is in their quiet hours and the alarm is not severe enough to override them.
    func isQuiet(_ kin: NextOfKin, for alarm: Alarm, override: Severity?, at now: Date) -> Bool {
        guard let quiet = kin.quietHours, quiet.contains(now, in: site.calendar) else { return false }
        return override.map { alarm.severity < $0 } ?? true
    }

    /// Who a notification was for, as a reader, with their contacts: for failover.
    func person(_ recipient: Recipient) -> (Messages.Reader, [Contact])? {
        switch recipient.kind {
        case .staff:
            guard let staff = site.staffMember(recipient.id) else { return nil }
            return (Messages.Reader(id: staff.id, name: staff.name, kind: .staff, healthDetail: true), staff.contacts)
        case .nextOfKin:
            guard let kin = site.nextOfKin(recipient.id) else { return nil }
            return (
                Messages.Reader(id: kin.id, name: kin.name, kind: .nextOfKin, healthDetail: kin.consentHealthDetail),
                kin.contacts
            )
        case .external:
            return nil
        }
    }

    /// The people tier `tier` of the alarm's policy reaches, once each, in policy order
    /// (for dashboards: "who is next").
    public func people(inTier tier: Int, of alarm: Alarm, at now: Date) -> [Messages.Reader] {
        var seen = Set<String>()
        return reach(tier: tier, of: alarm, at: now).reached.map(\.0).filter { seen.insert($0.id).inserted }
    }

    /// The people a tier reaches at `now`, each with each of their contacts, without repeats;
    /// and the next of kin it would have reached but for their quiet hours.
    func recipients(of tier: Tier, for alarm: Alarm, at now: Date) -> (
        reached: [(Messages.Reader, Contact)], withheld: [String]
    ) {
        var seen = Set<String>()
        var out: [(Messages.Reader, Contact)] = []
        var withheld: [String] = []
        let onDuty = site.onDuty(at: now)
        func add(staff: Staff) {
            guard seen.insert("staff:\(staff.id)").inserted else { return }
            for contact in Self.firstChannel(of: staff.contacts) {
                out.append((Messages.Reader(id: staff.id, name: staff.name, kind: .staff, healthDetail: true), contact))
            }
        }
        for target in tier.notify {
            switch target {
            case .group(let id, let onDutyOnly):
                for member in site.group(id)?.members ?? [] {
                    if let staff = site.staffMember(member), onDuty.contains(staff.id) || !onDutyOnly {
                        add(staff: staff)
                    }
                }
            case .role(let role, let onDutyOnly):
                for staff in site.staff where staff.role == role && (onDuty.contains(staff.id) || !onDutyOnly) {
                    add(staff: staff)
                }
            case .onDuty:
                for staff in site.staff where onDuty.contains(staff.id) { add(staff: staff) }
            case .external(let channel, let name):
                guard seen.insert("external:\(channel)").inserted else { continue }
                out.append(
                    (
                        Messages.Reader(id: channel, name: name, kind: .external, healthDetail: true),
                        Contact(channel: channel)
                    ))
            case .staff(let id):
                if let staff = site.staffMember(id) { add(staff: staff) }
            case .nextOfKin(let override):
                // A chain test never reaches relatives, whatever the policy says.
                guard !alarm.isTest, let id = alarm.resident, let resident = site.resident(id) else { continue }
                for kin in resident.nextOfKin where kin.consentNotify {
                    if isQuiet(kin, for: alarm, override: override, at: now) {
                        if !withheld.contains(kin.id) { withheld.append(kin.id) }
                        continue
                    }
                    guard seen.insert("kin:\(kin.id)").inserted else { continue }
                    for contact in Self.firstChannel(of: kin.contacts) {
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
        return (out, withheld.filter { !seen.contains("kin:\($0)") })
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
                detail: detail.merging(
                    ["attempt": String(report.attempt), "key": n.key].merging(
                        report.latency.map { ["latency_ms": String(Int(($0 * 1000).rounded()))] } ?? [:]
                    ) { a, _ in a }
                ) { a, _ in a })
        }
        switch report.result {
        case .delivered:
            return [.audit(entry(.notificationDelivered, "delivered", [:]))]
        case .failed(let reason, _) where !report.final:
            return [.audit(entry(.notificationRetrying, "failed", ["reason": reason]))]
        case .failed(let reason, _):
            var effects: [Effect] = [.audit(entry(.notificationFailed, "failed", ["reason": reason]))]
            // The person has another channel: the message goes there (an SMS after a push
            // that could not be delivered), for the same tier and round.
            if let alarm = openAlarms[n.alarm], alarm.state.isOpen, let (reader, contacts) = person(n.recipient) {
                let next = Self.channel(after: n.channel, in: contacts)
                if !next.isEmpty {
                    if let why = kinMayNotBeTold(n.recipient, about: alarm, at: now) {
                        return effects + [
                            .audit(
                                AuditEntry(
                                    at: now, actor: "hub", action: .notificationWithheld, alarm: alarm.id,
                                    recipient: n.recipient.id, result: "withheld",
                                    detail: ["reason": why, "failover_from": n.channel]))
                        ]
                    }
                    var sameRound = alarm
                    sameRound.tier = n.tier
                    sameRound.round = n.round
                    // A reminder's failover is that reminder on the next channel, not the
                    // tier's first message again (which the outbox already holds).
                    let mark = n.key.split(separator: ":").dropFirst(6).first { $0.hasPrefix("j") }
                        .flatMap { Int($0.dropFirst()) }
                    return effects
                        + enqueue(
                            next.map { (reader, $0) }, about: sameRound, at: now, repeatOf: mark,
                            detail: ["failover_from": n.channel])
                }
            }
            // A notification that failed for good is itself a reason to escalate: the person
            // it was for will not hear of the alarm. On the last tier there is no one further:
            // its own repeat goes on, so one bad number does not start round after round.
            if var alarm = openAlarms[n.alarm], alarm.state == .raised, alarm.tier == n.tier,
                alarm.round == n.round, let policy = site.policy(alarm.policy), alarm.tier + 1 < policy.tiers.count
            {
                effects += escalate(&alarm, reason: "notification-failed", at: now)
            }
            return effects
        }
    }
}

/// The site's rules by the event kinds they concern, in rule order, so an event is checked
/// against the few rules that could take it rather than all of them.
struct RuleIndex: Sendable {
    /// Rules that raise on the kind (alone or counted).
    var raising: [EventKind: [Rule]] = [:]
    /// Rules that list the kind under `clears`.
    var clearing: [EventKind: [Rule]] = [:]
    /// Absence rules the kind starts or ends the wait of.
    var absence: [EventKind: [Rule]] = [:]
    /// Inactivity rules that count the kind as activity.
    var activity: [EventKind: [Rule]] = [:]
    var byID: [String: Rule] = [:]

    init(_ rules: [Rule]) {
        for rule in rules {
            if byID[rule.id] == nil { byID[rule.id] = rule }
            for kind in rule.clears { clearing[kind, default: []].append(rule) }
            switch rule.trigger {
            case .event, .count:
                for kind in Set(rule.events) { raising[kind, default: []].append(rule) }
            case .absence(let expect, _):
                for kind in Set(rule.events + expect) { absence[kind, default: []].append(rule) }
            case .inactivity(let expect, _, _):
                for kind in Set(expect) { activity[kind, default: []].append(rule) }
            }
        }
    }
}
