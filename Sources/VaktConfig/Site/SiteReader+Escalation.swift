import VaktCore

extension SiteReader {
    /// `{id, type, url, headers, timeout, max_attempts}`
    func readChannel(_ value: YAMLValue) -> Channel? {
        guard
            let fields = value.fields(
                allowed: ["id", "type", "url", "headers", "timeout", "max_attempts"], required: ["id", "type", "url"],
                diagnostics)
        else { return nil }
        let id = declareID(.channel, fields)
        let kind = fields["type"].flatMap { $0.choice(ChannelKind.self, diagnostics) }
        var url = fields.string("url", diagnostics)
        if let text = url, let value = fields["url"], !(text.hasPrefix("http://") || text.hasPrefix("https://")) {
            diagnostics.report(
                "\(value.path): webhook url '\(text)' must start with http:// or https://", at: value.position)
            url = nil
        }
        var headers: [String: String] = [:]
        if let value = fields["headers"], case .mapping(let mapping) = value.node {
            for (keyNode, valueNode) in mapping {
                let key = YAMLValue(node: keyNode, file: value.file, path: value.path)
                guard let name = key.nonEmptyString(diagnostics) else { continue }
                if let text = value.child(name, valueNode).string(diagnostics) { headers[name] = text }
            }
        } else if let value = fields["headers"] {
            value.reportType("a mapping", diagnostics)
        }
        let timeout = fields["timeout"].flatMap { $0.positiveDuration(diagnostics) } ?? 10
        var maxAttempts = 8
        if let value = fields["max_attempts"], let count = value.int(diagnostics) {
            if count >= 1 {
                maxAttempts = count
            } else {
                diagnostics.report("\(value.path): must be at least 1", at: value.position)
            }
        }
        guard let id, let kind, let url else { return nil }
        return Channel(
            id: id, kind: kind, url: url, headers: headers, timeoutSeconds: timeout, maxAttempts: maxAttempts)
    }

    /// `{id, tiers: [{after, notify}], repeat}`; tier 0 must fire at once and `repeat` must be above 0.
    func readPolicy(_ value: YAMLValue) -> Policy? {
        guard
            let fields = value.fields(
                allowed: ["id", "tiers", "repeat"], required: ["id", "tiers", "repeat"], diagnostics)
        else { return nil }
        let id = declareID(.policy, fields)
        var tiers: [Tier] = []
        var tiersComplete = true
        if let value = fields["tiers"], let items = value.sequence(diagnostics) {
            if items.isEmpty {
                diagnostics.report("\(value.path): a policy needs at least one tier", at: value.position)
            }
            for (index, item) in items.enumerated() {
                if let tier = readTier(item, isFirst: index == 0) { tiers.append(tier) } else { tiersComplete = false }
            }
        }
        let repeatSeconds = fields["repeat"].flatMap { $0.positiveDuration(diagnostics) }
        guard let id, let repeatSeconds, tiersComplete, !tiers.isEmpty else { return nil }
        return Policy(id: id, tiers: tiers, repeatSeconds: repeatSeconds)
    }

    /// `{after, notify: [targets]}`
    func readTier(_ value: YAMLValue, isFirst: Bool) -> Tier? {
        guard let fields = value.fields(allowed: ["after", "notify"], required: ["after", "notify"], diagnostics)
        else { return nil }
        let after = fields["after"].flatMap { $0.duration(diagnostics) }
        if isFirst, let after, after != 0, let value = fields["after"] {
            diagnostics.report("\(value.path): tier 0 fires at once: 'after' must be 0", at: value.position)
        }
        var targets: [Target] = []
        if let value = fields["notify"], let items = value.sequence(diagnostics) {
            if items.isEmpty {
                diagnostics.report("\(value.path): a tier must notify someone", at: value.position)
            }
            targets = items.compactMap(readTarget)
        }
        guard let after else { return nil }
        return Tier(afterSeconds: after, notify: targets)
    }

    /// One of `{group: ID, on_duty_only: bool}`, `{staff: ID}` or `{next_of_kin: true}`.
    func readTarget(_ value: YAMLValue) -> Target? {
        guard let fields = value.fields(allowed: ["group", "on_duty_only", "staff", "next_of_kin"], diagnostics)
        else { return nil }
        let named = ["group", "staff", "next_of_kin"].filter { fields[$0] != nil }
        guard named.count == 1 else {
            let problem = named.isEmpty ? "needs one of" : "names more than one of"
            diagnostics.report(
                "\(value.path): a notify target \(problem) group, staff and next_of_kin", at: value.position)
            return nil
        }
        if fields["on_duty_only"] != nil, named[0] != "group" {
            diagnostics.report(
                "\(value.path): on_duty_only applies only to a group", at: fields.keyPosition("on_duty_only"))
        }
        switch named[0] {
        case "group":
            guard let group = reference(.group, "group", in: fields) else { return nil }
            return .group(group, onDutyOnly: fields.bool("on_duty_only", default: false, diagnostics))
        case "staff":
            guard let staff = reference(.staff, "staff", in: fields) else { return nil }
            return .staff(staff)
        default:
            guard let value = fields["next_of_kin"], let flag = value.bool(diagnostics) else { return nil }
            guard flag else {
                diagnostics.report(
                    "\(value.path): write next_of_kin: true, or leave the target out", at: value.position)
                return nil
            }
            return .nextOfKin
        }
    }

    /// `{id, events: [kinds], alarm, severity, policy}`
    func readRule(_ value: YAMLValue) -> Rule? {
        let keys = ["id", "events", "alarm", "severity", "policy"]
        guard let fields = value.fields(allowed: keys + ["clears"], required: keys, diagnostics) else { return nil }
        let id = declareID(.rule, fields)
        var events: [EventKind] = []
        if let value = fields["events"], let items = value.sequence(diagnostics) {
            if items.isEmpty {
                diagnostics.report("\(value.path): a rule needs at least one event kind", at: value.position)
            }
            events = items.compactMap { eventKind($0, diagnostics) }
        }
        let alarm = fields.string("alarm", diagnostics)
        let severity = fields["severity"].flatMap { $0.choice(Severity.self, diagnostics) }
        let policy = reference(.policy, "policy", in: fields)
        var clears: [EventKind] = []
        if let value = fields["clears"], let items = value.sequence(diagnostics) {
            clears = items.compactMap { eventKind($0, diagnostics) }
            for kind in clears where events.contains(kind) {
                diagnostics.report(
                    "\(value.path): '\(kind)' cannot both raise and clear the alarm", at: value.position)
            }
        }
        guard let id, let alarm, let severity, let policy, !events.isEmpty else { return nil }
        return Rule(id: id, events: events, alarm: alarm, severity: severity, policy: policy, clears: clears)
    }
}

/// An event kind from `EventKind.known`; anything else is reported with the known kinds.
func eventKind(_ value: YAMLValue, _ diagnostics: Diagnostics) -> EventKind? {
    guard let text = value.nonEmptyString(diagnostics) else { return nil }
    let kind = EventKind(rawValue: text)
    guard EventKind.known.contains(kind) else {
        let known = EventKind.known.map(\.rawValue).sorted().joined(separator: ", ")
        diagnostics.report("\(value.path): unknown event kind '\(text)'; known kinds: \(known)", at: value.position)
        return nil
    }
    return kind
}
