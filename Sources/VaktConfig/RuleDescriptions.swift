import VaktCore

/// What each rule and policy will do, in plain English, as `vakt check` prints it; and
/// warnings about rules that cannot work as written.
public enum RuleDescriptions {
    /// One paragraph per rule, in the order they are checked.
    public static func describe(_ site: Site) -> [String] {
        site.rules.map { describe($0, in: site) }
    }

    /// One line per policy: who each tier reaches, when.
    public static func describePolicies(_ site: Site) -> [String] {
        site.policies.map { "\($0.id): \(describe($0, in: site))" }
    }

    static func describe(_ rule: Rule, in site: Site) -> String {
        var text = "\(rule.id): "
        let events = list(rule.events.map(\.rawValue), or: true)
        switch rule.trigger {
        case .event:
            text += "on \(events)"
        case .count(let times, let within):
            text += "on \(times) × \(events) within \(formatDuration(within))"
        case .absence(let expect, let within):
            text +=
                "when \(events) is not followed by \(list(expect.map(\.rawValue), or: true)) in the same room within \(formatDuration(within))"
        case .inactivity(let expect, let from, let by):
            text +=
                "when a room has no \(list(expect.map(\.rawValue), or: true)) between \(from) and \(by) (checked at \(by) each day)"
        }
        text += origin(rule.match)
        if let when = rule.when { text += ", \(describe(when))" }
        text += ": a \(rule.severity.rawValue) '\(rule.alarm)' alarm, policy \(rule.policy). "
        switch rule.dedup {
        case .resident: text += "One open alarm per resident (per room where nobody lives): repeats join it"
        case .room: text += "One open alarm per room: repeats join it"
        case .device: text += "One open alarm per device: repeats join it"
        }
        if let every = rule.renotifySeconds {
            text += " and remind the current tier at most every \(formatDuration(every)) until acknowledged"
        }
        text += "."
        if !rule.clears.isEmpty {
            text +=
                " \(list(rule.clears.map(\.rawValue), or: true)) from the same device resolves it (outcome recovered)."
        }
        if rule.holdOffSeconds > 0 {
            text +=
                " After it is resolved, the same thing raises nothing for \(formatDuration(rule.holdOffSeconds)) (recorded as suppressed)."
        }
        let overrides = site.residents.compactMap { resident -> String? in
            guard let own = resident.ruleOverrides[rule.id] else { return nil }
            if own.disabled { return "\(resident.id) off" }
            let parts = [own.severity.map { "severity \($0.rawValue)" }, own.policy.map { "policy \($0)" }]
            return "\(resident.id) " + parts.compactMap { $0 }.joined(separator: ", ")
        }
        if !overrides.isEmpty { text += " Residents with their own version: \(overrides.joined(separator: "; "))." }
        return text
    }

    /// Rules that cannot work as written: shadowed by an earlier rule, or holding off care
    /// alarms that are critical.
    public static func warnings(_ site: Site) -> [String] {
        var warnings: [String] = []
        for (index, rule) in site.rules.enumerated() where rule.raisesOnEvent {
            let earlier = site.rules[..<index].first { other in
                other.raisesOnEvent && other.match.isEmpty && other.when == nil
                    && Set(rule.events).isSubset(of: Set(other.events))
                    && !site.residents.contains { $0.ruleOverrides[other.id]?.disabled == true }
            }
            if let earlier {
                warnings.append(
                    "rule \(rule.id) never raises: rule \(earlier.id) comes first and takes every \(list(rule.events.map(\.rawValue), or: true)) event"
                )
            }
            if rule.holdOffSeconds > 0, rule.severity == .critical, !rule.isTechnical {
                warnings.append(
                    "rule \(rule.id) is critical but has a hold-off of \(formatDuration(rule.holdOffSeconds)): a second \(rule.alarm) in that time raises nothing"
                )
            }
        }
        for policy in site.policies
        where policy.tiers.allSatisfy({ tier in
            tier.notify.allSatisfy {
                if case .nextOfKin = $0 { return true }
                if case .group(_, true) = $0 { return site.roster == nil && site.staff.allSatisfy { !$0.onDuty } }
                return false
            }
        }) {
            warnings.append("policy \(policy.id) reaches no staff in any tier")
        }
        warnings += rosterGaps(site)
        for room in site.rooms {
            let residents = site.residents.filter { $0.room == room.id }
            guard residents.count > 1 else { continue }
            let ids = residents.map(\.id).joined(separator: " and ")
            warnings.append(
                "room \(room.id) is shared by \(ids): alarms from it are attributed to \(residents[0].id), whose rule versions apply to both, and neither can be silenced alone"
            )
        }
        return warnings
    }

    /// Stretches of a week nobody is rostered for, in the week of the first Monday of 2027
    /// (dated assignments aside): on-duty targets reach nobody then, and escalation falls
    /// through to later tiers.
    static func rosterGaps(_ site: Site) -> [String] {
        guard let roster = site.roster, let monday = LocalDay("2027-01-04") else { return [] }
        var gaps: [String] = []
        for offset in 0..<7 {
            let day = monday.adding(days: offset)
            var start: Int?
            for minute in stride(from: 0, through: 24 * 60, by: 15) {
                let covered =
                    minute < 24 * 60
                    && !roster.onDuty(
                        at: site.calendar.instant(day, DailyTime(hour: minute / 60, minute: minute % 60)),
                        in: site.calendar
                    ).isEmpty
                if !covered, start == nil, minute < 24 * 60 { start = minute }
                if covered || minute == 24 * 60, let from = start {
                    let to = DailyTime(hour: minute / 60, minute: minute % 60)
                    gaps.append("\(day.weekday.rawValue) \(DailyTime(hour: from / 60, minute: from % 60))-\(to)")
                    start = nil
                }
            }
        }
        guard !gaps.isEmpty else { return [] }
        let shown = gaps.prefix(5).joined(separator: ", ") + (gaps.count > 5 ? ", and \(gaps.count - 5) more" : "")
        return ["the roster has nobody on duty on \(shown): on-duty targets reach nobody then"]
    }

    static func describe(_ policy: Policy, in site: Site) -> String {
        let tiers = policy.tiers.enumerated().map { index, tier -> String in
            let when = index == 0 ? "at once" : "after \(formatDuration(tier.afterSeconds)) more"
            return "\(when) \(list(tier.notify.map { describe($0) }, or: false))"
        }
        return tiers.joined(separator: "; ")
            + "; the last tier repeats every \(formatDuration(policy.repeatSeconds)) until acknowledged"
    }

    static func describe(_ target: Target) -> String {
        switch target {
        case .group(let id, let onDutyOnly): onDutyOnly ? "\(id) on duty" : "all of \(id)"
        case .role(let role, let onDutyOnly): onDutyOnly ? "role \(role.rawValue) on duty" : "every \(role.rawValue)"
        case .onDuty: "everyone on duty"
        case .staff(let id): id
        case .nextOfKin(let override):
            "next of kin who consented"
                + (override.map { " (quiet hours kept unless \($0.rawValue) or worse)" } ?? " (quiet hours kept)")
        case .external(let channel, let name): "\(name) via \(channel)"
        }
    }

    static func describe(_ window: TimeWindow) -> String {
        var text = window.from == window.to ? "all day" : "between \(window.from) and \(window.to)"
        var on: [String] = []
        if let days = window.days { on += Weekday.allCases.filter(days.contains).map(\.rawValue) }
        if let dates = window.dates { on += dates.sorted().map(\.description) }
        if !on.isEmpty { text += " starting on \(on.joined(separator: ", "))" }
        return text + " (site time)"
    }

    private static func origin(_ match: RuleMatch) -> String {
        var parts: [String] = []
        parts.append(match.devices.isEmpty ? " (any device)" : " from \(list(match.devices, or: true))")
        if !match.roomTags.isEmpty { parts.append("in a room tagged \(list(match.roomTags, or: true))") }
        if !match.residentTags.isEmpty { parts.append("of a resident tagged \(list(match.residentTags, or: true))") }
        if !match.attributes.isEmpty {
            let pairs = match.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            parts.append("saying \(list(pairs, or: false))")
        }
        return parts.joined(separator: " ")
    }

    private static func list(_ items: [String], or: Bool) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + (or ? " or " : " and ") + (items.last ?? "")
    }
}
