import VaktCore

extension SiteReader {
    /// `{id, type, url, timeout, max_attempts}` and, by type: webhook `headers, hmac_secret`;
    /// sms `preset, token | user + key, sender, headers`; ntfy `token, click`; smtp `from,
    /// username, password, starttls`.
    func readChannel(_ value: YAMLValue) -> Channel? {
        let common = ["id", "type", "url", "timeout", "max_attempts", "rate_limit"]
        let byKind: [ChannelKind: [String]] = [
            .webhook: ["headers", "hmac_secret"],
            .sms: ["preset", "token", "user", "key", "sender", "headers", "method", "body", "format"],
            .ntfy: ["token", "click", "headers"], .smtp: ["from", "username", "password", "starttls"],
        ]
        // The type decides which other keys belong.
        let type = value.entries(Diagnostics())?.first { $0.0 == "type" }?.1
        let kind = type.flatMap { $0.choice(ChannelKind.self, diagnostics) }
        let allowed = common + (kind.map { byKind[$0] ?? [] } ?? Set(byKind.values.joined()).sorted())
        guard let fields = value.fields(allowed: allowed, required: ["id", "type", "url"], diagnostics) else {
            return nil
        }
        let id = declareID(.channel, fields)
        var url = fields.string("url", diagnostics)
        let schemes = kind == .smtp ? ["smtp://", "smtps://"] : ["http://", "https://"]
        if let text = url, let value = fields["url"], !schemes.contains(where: text.hasPrefix) {
            diagnostics.report(
                "\(value.path): \(kind?.rawValue ?? "channel") url '\(text)' must start with \(schemes.joined(separator: " or "))",
                at: value.position)
            url = nil
        }
        var headers: [String: String] = [:]
        for (name, item) in fields["headers"].flatMap({ $0.entries(diagnostics) }) ?? [] {
            if let text = item.string(diagnostics) { headers[name] = text }
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
        // Secrets are references (file:/path or env:NAME), never the secret itself in config.
        func secret(_ key: String) -> String? {
            guard let value = fields[key], let text = value.nonEmptyString(diagnostics) else { return nil }
            guard text.hasPrefix("file:") || text.hasPrefix("env:") else {
                diagnostics.report(
                    "\(value.path): write where the secret is, file:/path or env:NAME, not the secret itself",
                    at: value.position)
                return nil
            }
            return text
        }
        var preset: SMSPreset?
        var request: SMSRequest?
        if kind == .sms {
            preset = fields["preset"].flatMap { $0.choice(SMSPreset.self, diagnostics) } ?? .jsonBearer
            for key in ["method", "body", "format"] where fields[key] != nil && preset != .custom {
                diagnostics.report(
                    "\(value.path): '\(key)' is for preset: custom", at: fields.keyPosition(key))
            }
            if preset == .custom {
                var custom = SMSRequest(
                    method: fields["method"].flatMap { $0.choice(SMSRequest.Method.self, diagnostics) } ?? .post,
                    body: fields.string("body", diagnostics),
                    format: fields["format"].flatMap { $0.choice(SMSRequest.BodyFormat.self, diagnostics) } ?? .json)
                if custom.method == .get, custom.body != nil, let item = fields["body"] {
                    diagnostics.report(
                        "\(item.path): a GET request has no body; put the values in the url", at: item.position)
                    custom.body = nil
                }
                let texts = [url ?? "", custom.body ?? ""]
                for name in texts.flatMap(MessageTemplate.names(in:)) where !SMSRequest.placeholders.contains(name) {
                    diagnostics.report(
                        "\(value.path): unknown placeholder {\(name)}; allowed: \(SMSRequest.placeholders.map { "{\($0)}" }.joined(separator: " "))",
                        at: value.position)
                }
                if !texts.joined().contains("{to}") || !texts.joined().contains("{text}") {
                    diagnostics.report(
                        "\(value.path): a custom SMS request must send {to} and {text}", at: value.position)
                }
                request = custom
            }
            let needs = preset == .formKey ? ["user", "key"] : preset == .custom ? [] : ["token"]
            for key in needs where fields[key] == nil {
                diagnostics.report(
                    "\(value.path): an SMS gateway with preset \(preset?.rawValue ?? "") needs '\(key)'",
                    at: value.position)
            }
        }
        if kind == .smtp, fields["from"] == nil {
            diagnostics.report("\(value.path): an e-mail channel needs 'from'", at: value.position)
        }
        if kind == .smtp, let from = fields["from"], let text = from.nonEmptyString(diagnostics),
            !EmailAddress.isValid(text)
        {
            diagnostics.report(
                "\(from.path): '\(text)' is not a plain e-mail address (name@host.domain)", at: from.position)
        }
        // A login and health detail must not cross the network in the clear.
        if kind == .smtp, let text = url, text.hasPrefix("smtp://"), fields["password"] != nil,
            !fields.bool("starttls", default: false, diagnostics)
        {
            diagnostics.report(
                "\(value.path): a login over smtp:// needs starttls: true (or use smtps://)", at: value.position)
        }
        if kind == .smtp, fields["username"] != nil, fields["password"] == nil {
            diagnostics.report("\(value.path): 'username' needs 'password'", at: value.position)
        }
        let channel = Channel(
            id: id ?? "", kind: kind ?? .webhook, url: url ?? "", headers: headers, timeoutSeconds: timeout,
            maxAttempts: maxAttempts, hmacSecret: secret("hmac_secret"), smsPreset: preset, smsRequest: request,
            token: secret("token"),
            username: fields.string("user", diagnostics) ?? fields.string("username", diagnostics),
            password: secret("key") ?? secret("password"),
            sender: fields.string("sender", diagnostics) ?? fields.string("from", diagnostics),
            clickURL: fields.string("click", diagnostics),
            startTLS: fields.bool("starttls", default: false, diagnostics))
        var limited = channel
        if let value = fields["rate_limit"],
            let limit = value.fields(allowed: ["max", "per"], required: ["max", "per"], diagnostics)
        {
            let max = limit["max"].flatMap { $0.int(diagnostics) }
            let per = limit["per"].flatMap { $0.positiveDuration(diagnostics) }
            if let max, max < 1, let item = limit["max"] {
                diagnostics.report("\(item.path): must be at least 1", at: item.position)
            }
            if let max, max >= 1, let per { limited.rateLimit = RateLimit(max: max, perSeconds: per) }
        }
        guard id != nil, kind != nil, url != nil else { return nil }
        return limited
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

    /// One of `{group: ID, on_duty_only: bool}`, `{role: ROLE, on_duty_only: bool}`,
    /// `{on_duty: true}`, `{staff: ID}`, `{next_of_kin: true, quiet_hours_override: SEVERITY}`
    /// or `{external: CHANNEL, name: TEXT}`.
    func readTarget(_ value: YAMLValue) -> Target? {
        let kinds = ["group", "role", "on_duty", "staff", "next_of_kin", "external"]
        guard
            let fields = value.fields(
                allowed: kinds + ["on_duty_only", "quiet_hours_override", "name"], diagnostics)
        else { return nil }
        let named = kinds.filter { fields[$0] != nil }
        guard named.count == 1 else {
            let problem = named.isEmpty ? "needs one of" : "names more than one of"
            diagnostics.report(
                "\(value.path): a notify target \(problem) \(kinds.joined(separator: ", "))", at: value.position)
            return nil
        }
        for (key, owner) in [
            ("on_duty_only", ["group", "role"]), ("quiet_hours_override", ["next_of_kin"]), ("name", ["external"]),
        ]
        where fields[key] != nil && !owner.contains(named[0]) {
            diagnostics.report(
                "\(value.path): \(key) applies only to \(owner.joined(separator: " or "))", at: fields.keyPosition(key))
        }
        let onDutyOnly = fields.bool("on_duty_only", default: false, diagnostics)
        func mustBeTrue(_ key: String) -> Bool {
            guard let value = fields[key], let flag = value.bool(diagnostics) else { return false }
            if !flag {
                diagnostics.report("\(value.path): write \(key): true, or leave the target out", at: value.position)
            }
            return flag
        }
        switch named[0] {
        case "group":
            guard let group = reference(.group, "group", in: fields) else { return nil }
            return .group(group, onDutyOnly: onDutyOnly)
        case "role":
            guard let role = fields["role"].flatMap({ $0.choice(StaffRole.self, diagnostics) }) else { return nil }
            return .role(role, onDutyOnly: onDutyOnly)
        case "on_duty":
            return mustBeTrue("on_duty") ? .onDuty : nil
        case "staff":
            guard let staff = reference(.staff, "staff", in: fields) else { return nil }
            return .staff(staff)
        case "external":
            guard let channel = reference(.channel, "external", in: fields) else { return nil }
            // A response centre is reached at the channel's endpoint: a webhook, which needs
            // no address. Other channels need a person's address, which a centre has not.
            if let kind = channelKinds[channel], kind != .webhook, let item = fields["external"] {
                diagnostics.report(
                    "\(item.path): a response centre is reached through a webhook channel; '\(channel)' is \(kind.rawValue)",
                    at: item.position)
                return nil
            }
            return .external(channel: channel, name: fields.string("name", diagnostics) ?? channel)
        default:
            guard mustBeTrue("next_of_kin") else { return nil }
            let override = fields["quiet_hours_override"].flatMap { $0.choice(Severity.self, diagnostics) }
            return .nextOfKin(quietHoursOverride: override)
        }
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
