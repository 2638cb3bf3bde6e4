import Foundation

/// A site's own wording for one audience, optionally for one kind of channel (a short SMS, a
/// fuller e-mail), in the site's language. Placeholders in braces are filled per message.
public struct MessageTemplate: Sendable, Equatable {
    /// Who reads it.
    public enum Audience: String, Sendable, Equatable, CaseIterable {
        case staff
        /// Relatives without consent to health detail: they learn only that staff follow
        /// something up.
        case nextOfKin = "next-of-kin"
        /// Relatives who consented to health detail.
        case nextOfKinDetail = "next-of-kin-detail"
        /// An external response centre.
        case external
    }

    public var audience: Audience
    /// Only for this kind of channel; `nil`: every channel without a template of its own.
    public var channel: ChannelKind?
    public var title: String
    public var body: String

    public init(audience: Audience, channel: ChannelKind? = nil, title: String, body: String) {
        self.audience = audience
        self.channel = channel
        self.title = title
        self.body = body
    }

    /// Every placeholder a template may use.
    public static let placeholders = [
        "alarm", "kind", "severity", "room", "resident", "time", "tier", "round", "site", "waited",
    ]

    /// What relatives without consent to health detail may be told: not what happened, not
    /// where, not how serious.
    public static let withoutHealthDetail = ["alarm", "resident", "time", "site"]

    /// The placeholders `audience` may use.
    public static func allowed(for audience: Audience) -> [String] {
        audience == .nextOfKin ? withoutHealthDetail : placeholders
    }

    /// The placeholders a text uses, in order (`{kind}` gives `kind`).
    /// Only `{name}` with a name of letters, digits, `_` and `-` counts: the braces of a JSON
    /// body around it do not.
    public static func names(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            let name = after.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            if !name.isEmpty, after.dropFirst(name.count).first == "}" { names.append(String(name)) }
            rest = after
        }
        return names
    }

    /// `text` with each placeholder replaced by its value.
    static func fill(_ text: String, _ values: [String: String]) -> String {
        var out = text
        for (name, value) in values { out = out.replacingOccurrences(of: "{\(name)}", with: value) }
        return out
    }
}

extension Messages {
    /// The site's template for this reader on this kind of channel, if it has one.
    func template(for recipient: Reader, channel: ChannelKind?) -> MessageTemplate? {
        let audience: MessageTemplate.Audience =
            switch recipient.kind {
            case .staff: .staff
            case .external: .external
            case .nextOfKin: recipient.healthDetail ? .nextOfKinDetail : .nextOfKin
            }
        let mine = site.templates.filter { $0.audience == audience }
        if let own = mine.first(where: { $0.channel != nil && $0.channel == channel }) { return own }
        return mine.first { $0.channel == nil }
    }

    /// A template filled for one alarm. Relatives without consent to health detail get only the
    /// values they may see, whatever the template says (the config check refuses the rest too).
    func fill(_ template: MessageTemplate, alarm: Alarm, recipient: Reader, at now: Date?) -> (
        title: String, body: String
    ) {
        let resident = alarm.resident.flatMap { site.resident($0) }
        let someone = site.language == .norwegianBokmal ? "beboer" : "the resident"
        var values: [String: String] = [
            "alarm": alarm.id, "resident": resident?.displayName ?? someone, "time": clock(alarm.raisedAt),
            "site": site.name,
        ]
        if recipient.kind != .nextOfKin || recipient.healthDetail {
            values["kind"] = kindName(alarm.kind)
            values["severity"] = severityName(alarm.severity)
            values["room"] = site.room(alarm.room)?.name ?? alarm.room
            values["tier"] = String(alarm.tier + 1)
            values["round"] = String(alarm.round)
            values["waited"] = String(max(0, Int((now ?? alarm.raisedAt).timeIntervalSince(alarm.raisedAt) / 60)))
        } else {
            for name in MessageTemplate.placeholders where values[name] == nil { values[name] = "" }
        }
        return (MessageTemplate.fill(template.title, values), MessageTemplate.fill(template.body, values))
    }
}
