import VaktCore

extension SiteReader {
    /// `{id, events, alarm, severity, policy, clears, match, when, count | absence | inactivity,
    /// dedup, hold_off, renotify}`
    func readRule(_ value: YAMLValue) -> Rule? {
        let keys = [
            "id", "events", "alarm", "severity", "policy", "clears", "match", "when", "count", "absence", "inactivity",
            "dedup", "hold_off", "renotify",
        ]
        guard let fields = value.fields(allowed: keys, required: ["id", "alarm", "severity", "policy"], diagnostics)
        else { return nil }
        let id = declareID(.rule, fields)
        let triggers = ["count", "absence", "inactivity"].filter { fields[$0] != nil }
        if triggers.count > 1 {
            diagnostics.report(
                "\(value.path): a rule is one of count, absence and inactivity, not \(triggers.joined(separator: " and "))",
                at: value.position)
        }
        let events = fields.sequence("events", diagnostics).compactMap { eventKind($0, diagnostics) }
        if triggers.first == "inactivity" {
            if fields["events"] != nil {
                diagnostics.report(
                    "\(value.path): an inactivity rule has no events; list what counts as activity under inactivity.expect",
                    at: fields.keyPosition("events"))
            }
        } else if fields["events"] == nil {
            diagnostics.report("\(value.path): missing required key 'events'", at: value.position)
        } else if events.isEmpty, let value = fields["events"] {
            diagnostics.report("\(value.path): a rule needs at least one event kind", at: value.position)
        }
        let alarm = fields.string("alarm", diagnostics)
        let severity = fields["severity"].flatMap { $0.choice(Severity.self, diagnostics) }
        let policy = reference(.policy, "policy", in: fields)
        let clears = fields.sequence("clears", diagnostics).compactMap { eventKind($0, diagnostics) }
        for kind in clears where events.contains(kind) {
            diagnostics.report(
                "\(fields["clears"]?.path ?? value.path): '\(kind)' cannot both raise and clear the alarm",
                at: fields.keyPosition("clears"))
        }
        let match = fields["match"].flatMap(readMatch) ?? RuleMatch()
        let when = fields["when"].flatMap(readWindow)
        var trigger = RuleTrigger.event
        if let value = fields["count"] { trigger = readCount(value) ?? .event }
        if let value = fields["absence"] { trigger = readAbsence(value, starting: events) ?? .event }
        if let value = fields["inactivity"] { trigger = readInactivity(value) ?? .event }
        let dedup = fields["dedup"].flatMap { $0.choice(DedupScope.self, diagnostics) }
        var holdOff = fields["hold_off"].flatMap { $0.duration(diagnostics) } ?? 0
        if holdOff > Engine.recentWindow, let value = fields["hold_off"] {
            diagnostics.report("\(value.path): a hold-off may be at most 24h", at: value.position)
            holdOff = 0
        }
        let renotify = fields["renotify"].flatMap { $0.positiveDuration(diagnostics) }
        let technical = !events.isEmpty && events.allSatisfy(EventKind.technical.contains)
        let misplaced: [(String, Bool, String)] = [
            (
                "clears", triggers.first == "absence" || triggers.first == "inactivity",
                "an absence or inactivity alarm waits for a person; it cannot be cleared by an event"
            ),
            ("when", triggers.first == "inactivity", "an inactivity rule's window is its from and by"),
            (
                "renotify", triggers.first == "inactivity",
                "an inactivity alarm is raised once a day; its policy repeats it"
            ),
            (
                "hold_off", technical,
                "a technical alarm is never held off: one that is not raised (offline, silent, a low battery) would not come again"
            ),
        ]
        for (key, wrong, why) in misplaced where wrong && fields[key] != nil {
            diagnostics.report("\(value.path): '\(key)' does not apply here: \(why)", at: fields.keyPosition(key))
        }
        guard let id, let alarm, let severity, let policy, !events.isEmpty || triggers.first == "inactivity",
            triggers.count <= 1
        else { return nil }
        return Rule(
            id: id, events: events, alarm: alarm, severity: severity, policy: policy, clears: clears, match: match,
            when: when, trigger: trigger, dedup: dedup, holdOffSeconds: holdOff, renotifySeconds: renotify)
    }

    /// `{devices, room_tags, resident_tags, attributes: {key: value}}`
    private func readMatch(_ value: YAMLValue) -> RuleMatch? {
        guard
            let fields = value.fields(
                allowed: ["devices", "room_tags", "resident_tags", "attributes"], diagnostics)
        else { return nil }
        var devices: [String] = []
        for item in fields.sequence("devices", diagnostics) {
            guard let id = item.nonEmptyString(diagnostics) else { continue }
            registry.refer(.device, id, at: item)
            devices.append(id)
        }
        var attributes: [String: String] = [:]
        if let value = fields["attributes"], let mapping = value.entries(diagnostics) {
            for (key, item) in mapping { if let text = item.string(diagnostics) { attributes[key] = text } }
        }
        return RuleMatch(
            devices: devices, roomTags: fields.strings("room_tags", diagnostics),
            residentTags: fields.strings("resident_tags", diagnostics), attributes: attributes)
    }

    /// `"22:00-07:00"`, or `{time: "22:00-07:00", days: [mon, ...], dates: [YYYY-MM-DD, ...]}`.
    func readWindow(_ value: YAMLValue) -> TimeWindow? {
        if case .scalar = value.node {
            guard let text = value.nonEmptyString(diagnostics) else { return nil }
            guard let window = TimeWindow(text) else {
                diagnostics.report(
                    "\(value.path): '\(text)' is not a time window; write HH:MM-HH:MM, e.g. 22:00-07:00",
                    at: value.position)
                return nil
            }
            return window
        }
        guard let fields = value.fields(allowed: ["time", "days", "dates"], diagnostics) else { return nil }
        var window = TimeWindow(from: DailyTime(hour: 0, minute: 0), to: DailyTime(hour: 0, minute: 0))
        if let time = fields["time"] {
            guard let parsed = readWindow(time) else { return nil }
            window = parsed
        }
        if fields["days"] != nil {
            window.days = Set(fields.sequence("days", diagnostics).compactMap { $0.choice(Weekday.self, diagnostics) })
        }
        if fields["dates"] != nil {
            window.dates = Set(fields.sequence("dates", diagnostics).compactMap(readDay))
        }
        if window.days?.isEmpty == true || window.dates?.isEmpty == true {
            diagnostics.report("\(value.path): a window on no days or dates never applies", at: value.position)
            return nil
        }
        return window
    }

    /// `YYYY-MM-DD`
    func readDay(_ value: YAMLValue) -> LocalDay? {
        guard let text = value.nonEmptyString(diagnostics) else { return nil }
        guard let day = LocalDay(text) else {
            diagnostics.report("\(value.path): '\(text)' is not a date; write YYYY-MM-DD", at: value.position)
            return nil
        }
        return day
    }

    /// `HH:MM`
    func readTime(_ value: YAMLValue) -> DailyTime? {
        guard let text = value.nonEmptyString(diagnostics) else { return nil }
        guard let time = DailyTime(text) else {
            diagnostics.report("\(value.path): '\(text)' is not a time of day; write HH:MM", at: value.position)
            return nil
        }
        return time
    }

    /// `{times: N, within: DURATION}`
    private func readCount(_ value: YAMLValue) -> RuleTrigger? {
        guard let fields = value.fields(allowed: ["times", "within"], required: ["times", "within"], diagnostics)
        else { return nil }
        let times = fields["times"].flatMap { $0.int(diagnostics) }
        if let times, times < 2, let value = fields["times"] {
            diagnostics.report(
                "\(value.path): counting needs at least 2 events (1 is a plain rule)", at: value.position)
        }
        let within = fields["within"].flatMap { $0.positiveDuration(diagnostics) }
        guard let times, times >= 2, let within else { return nil }
        return .count(times: times, withinSeconds: within)
    }

    /// `{expect: [kinds], within: DURATION}`
    private func readAbsence(_ value: YAMLValue, starting: [EventKind]) -> RuleTrigger? {
        guard let fields = value.fields(allowed: ["expect", "within"], required: ["expect", "within"], diagnostics)
        else { return nil }
        let expect = fields.sequence("expect", diagnostics).compactMap { eventKind($0, diagnostics) }
        if expect.isEmpty, let value = fields["expect"] {
            diagnostics.report("\(value.path): name the event that ends the wait", at: value.position)
        }
        for kind in expect where starting.contains(kind) {
            diagnostics.report(
                "\(value.path): '\(kind)' cannot both start and end the wait", at: fields.keyPosition("expect"))
        }
        let within = fields["within"].flatMap { $0.positiveDuration(diagnostics) }
        guard !expect.isEmpty, let within else { return nil }
        return .absence(expect: expect, withinSeconds: within)
    }

    /// `{expect: [kinds], from: HH:MM, by: HH:MM}`
    private func readInactivity(_ value: YAMLValue) -> RuleTrigger? {
        guard
            let fields = value.fields(
                allowed: ["expect", "from", "by"], required: ["expect", "from", "by"], diagnostics)
        else { return nil }
        let expect = fields.sequence("expect", diagnostics).compactMap { eventKind($0, diagnostics) }
        if expect.isEmpty, let value = fields["expect"] {
            diagnostics.report("\(value.path): name the events that count as activity", at: value.position)
        }
        let from = fields["from"].flatMap(readTime)
        var by = fields["by"].flatMap(readTime)
        if by?.hour == 24, let value = fields["by"] {
            diagnostics.report("\(value.path): 'by' must be within the day, at the latest 23:59", at: value.position)
            by = nil
        }
        if let from, let by, by <= from {
            diagnostics.report(
                "\(value.path): 'by' (\(by)) must be later the same day than 'from' (\(from))",
                at: fields.keyPosition("by"))
            return nil
        }
        guard !expect.isEmpty, let from, let by else { return nil }
        return .inactivity(expect: expect, from: from, by: by)
    }

    /// A resident's `rules: {rule-id: off | {severity, policy}}`.
    func readOverrides(_ value: YAMLValue) -> [String: RuleOverride] {
        guard let mapping = value.entries(diagnostics) else { return [:] }
        var overrides: [String: RuleOverride] = [:]
        for (ruleID, item) in mapping {
            registry.refer(.rule, ruleID, at: item)
            if case .scalar = item.node {
                guard let text = item.string(diagnostics), text == "off" else {
                    diagnostics.report(
                        "\(item.path): write off, or a mapping with severity and/or policy", at: item.position)
                    continue
                }
                overrides[ruleID] = RuleOverride(disabled: true)
                continue
            }
            guard let fields = item.fields(allowed: ["severity", "policy"], diagnostics) else { continue }
            overrides[ruleID] = RuleOverride(
                severity: fields["severity"].flatMap { $0.choice(Severity.self, diagnostics) },
                policy: reference(.policy, "policy", in: fields))
        }
        return overrides
    }

    /// `roster: {shifts: [{id, name, from, to}], assignments: [{shift, staff, days, dates}]}`
    func readRoster() -> Roster? {
        guard let value = sections["roster"],
            let fields = value.fields(allowed: ["shifts", "assignments"], required: ["shifts"], diagnostics)
        else { return nil }
        var shifts: [Roster.Shift] = []
        for item in fields.sequence("shifts", diagnostics) {
            guard
                let shift = item.fields(
                    allowed: ["id", "name", "from", "to"], required: ["id", "from", "to"], diagnostics)
            else { continue }
            let id = declareID(.shift, shift)
            let from = shift["from"].flatMap(readTime)
            let to = shift["to"].flatMap(readTime)
            if let from, let to, from == to {
                diagnostics.report("\(item.path): a shift must end at another time than it starts", at: item.position)
                continue
            }
            guard let id, let from, let to else { continue }
            shifts.append(Roster.Shift(id: id, name: shift.string("name", diagnostics) ?? id, from: from, to: to))
        }
        var assignments: [Roster.Assignment] = []
        for item in fields.sequence("assignments", diagnostics) {
            guard
                let entry = item.fields(
                    allowed: ["shift", "staff", "days", "dates"], required: ["shift", "staff"], diagnostics)
            else { continue }
            let shift = reference(.shift, "shift", in: entry)
            var staff: [String] = []
            for member in entry.sequence("staff", diagnostics) {
                guard let id = member.nonEmptyString(diagnostics) else { continue }
                registry.refer(.staff, id, at: member)
                staff.append(id)
            }
            let days = entry["days"].map { _ in
                Set(entry.sequence("days", diagnostics).compactMap { $0.choice(Weekday.self, diagnostics) })
            }
            let dates = entry["dates"].map { _ in Set(entry.sequence("dates", diagnostics).compactMap(readDay)) }
            if days != nil, dates != nil {
                diagnostics.report("\(item.path): an assignment has days or dates, not both", at: item.position)
                continue
            }
            guard let shift else { continue }
            assignments.append(Roster.Assignment(shift: shift, days: days, dates: dates, staff: staff))
        }
        return Roster(shifts: shifts, assignments: assignments)
    }

    /// `silences: {roles: [...], never: [alarm kinds], max_duration: DURATION}`
    func readSilencing(rules: [Rule]) -> SilenceSettings {
        var settings = SilenceSettings()
        guard let value = sections["silences"],
            let fields = value.fields(allowed: ["roles", "never", "max_duration"], diagnostics)
        else { return settings }
        if fields["roles"] != nil {
            settings.roles = fields.sequence("roles", diagnostics).compactMap { $0.choice(StaffRole.self, diagnostics) }
        }
        if let value = fields["never"] {
            settings.never = fields.strings("never", diagnostics)
            // A misspelt kind would quietly make smoke silenceable.
            let raised = Set(rules.map(\.alarm))
            for kind in settings.never where !raised.contains(kind) {
                diagnostics.report(
                    "\(value.path): no rule raises '\(kind)'; kinds: \(raised.sorted().joined(separator: ", "))",
                    at: value.position)
            }
        }
        if let seconds = fields["max_duration"].flatMap({ $0.positiveDuration(diagnostics) }) {
            settings.maxSeconds = seconds
        }
        return settings
    }

    /// `{audience, channel, title, body}`: placeholders must be known, and relatives without
    /// consent to health detail may not be told what happened, where, or how serious.
    func readTemplate(_ value: YAMLValue) -> MessageTemplate? {
        guard
            let fields = value.fields(
                allowed: ["audience", "channel", "title", "body"], required: ["audience", "title", "body"], diagnostics)
        else { return nil }
        let audience = fields["audience"].flatMap { $0.choice(MessageTemplate.Audience.self, diagnostics) }
        let channel = fields["channel"].flatMap { $0.choice(ChannelKind.self, diagnostics) }
        var complete = true
        for key in ["title", "body"] {
            guard let item = fields[key], let text = item.nonEmptyString(diagnostics) else {
                complete = false
                continue
            }
            let allowed = audience.map(MessageTemplate.allowed(for:)) ?? MessageTemplate.placeholders
            for name in MessageTemplate.names(in: text) where !allowed.contains(name) {
                complete = false
                let why =
                    MessageTemplate.placeholders.contains(name)
                    ? "relatives without consent to health detail may not be told {\(name)}"
                    : "unknown placeholder {\(name)}"
                diagnostics.report(
                    "\(item.path): \(why); allowed: \(allowed.map { "{\($0)}" }.joined(separator: " "))",
                    at: item.position)
            }
        }
        guard complete, let audience, let title = fields.string("title", diagnostics),
            let body = fields.string("body", diagnostics)
        else { return nil }
        return MessageTemplate(audience: audience, channel: channel, title: title, body: body)
    }

    /// `outcomes: [{id, nb, en, false_alarm, accidental}]`
    func readOutcomes() -> [OutcomeCode] {
        guard sections["outcomes"] != nil else { return OutcomeCode.defaults }
        var seen = Set<String>()
        let outcomes = readList("outcomes") { item -> OutcomeCode? in
            guard
                let fields = item.fields(
                    allowed: ["id", "nb", "en", "false_alarm", "accidental"], required: ["id", "nb", "en"], diagnostics)
            else { return nil }
            guard let id = fields.string("id", diagnostics), let nb = fields.string("nb", diagnostics),
                let en = fields.string("en", diagnostics)
            else { return nil }
            if id == Outcome.recovered {
                diagnostics.report(
                    "\(item.path): '\(id)' is the hub's own outcome; choose another id", at: item.position)
                return nil
            }
            guard seen.insert(id).inserted else {
                diagnostics.report("\(item.path): outcome '\(id)' is listed twice", at: item.position)
                return nil
            }
            return OutcomeCode(
                id: id, nb: nb, en: en, falseAlarm: fields.bool("false_alarm", default: false, diagnostics),
                accidental: fields.bool("accidental", default: false, diagnostics))
        }
        if outcomes.isEmpty, let value = sections["outcomes"] {
            diagnostics.report("\(value.path): list at least one outcome", at: value.position)
            return OutcomeCode.defaults
        }
        return outcomes
    }
}
