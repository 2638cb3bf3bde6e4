import Foundation

/// Notification texts in the site's language (bokmål or English).
///
/// Next of kin get no health detail unless the resident consented: they learn that staff
/// are following something up, not what happened.
public struct Messages: Sendable {
    /// The person a text is written for.
    public struct Reader: Sendable, Equatable {
        public var id: String
        public var name: String
        public var kind: Recipient.Kind
        public var healthDetail: Bool
    }

    public let site: Site

    public init(site: Site) { self.site = site }

    /// - Parameter now: When the message is written; staff are told how long the alarm has
    ///   waited once it has waited a minute or more.
    ///   - channel: The kind of channel it goes out on; the site's template for it, if any, is used.
    public func notification(
        for alarm: Alarm, recipient: Reader, at now: Date? = nil, channel: ChannelKind? = nil
    ) -> (title: String, body: String) {
        if let template = template(for: recipient, channel: channel) {
            let text = fill(template, alarm: alarm, recipient: recipient, at: now)
            return alarm.isTest ? testMarked(text) : text
        }
        var text = plainNotification(for: alarm, recipient: recipient)
        if let now, recipient.kind != .nextOfKin {
            let minutes = Int(now.timeIntervalSince(alarm.raisedAt) / 60)
            if minutes >= 1 {
                let waited =
                    site.language == .norwegianBokmal ? " Har ventet \(minutes) min." : " Waiting \(minutes) min."
                text.body += waited
            }
        }
        return alarm.isTest ? testMarked(text) : text
    }

    /// A chain test says so first, so nobody runs for a drill.
    private func testMarked(_ text: (title: String, body: String)) -> (title: String, body: String) {
        site.language == .norwegianBokmal
            ? ("TEST – \(text.title)", "TEST av alarmkjeden, ingen reell alarm. \(text.body)")
            : ("TEST – \(text.title)", "Chain test, not a real alarm. \(text.body)")
    }

    private func plainNotification(for alarm: Alarm, recipient: Reader) -> (title: String, body: String) {
        let resident = alarm.resident.flatMap { site.resident($0) }
        let who = resident?.displayName ?? room(alarm.room)
        let time = clock(alarm.raisedAt)
        let kind = kindName(alarm.kind)
        switch (site.language, recipient.kind, recipient.healthDetail) {
        case (.norwegianBokmal, .external, _):
            return (
                "\(severityName(alarm.severity)): \(kind) – \(site.name), \(room(alarm.room))",
                "Alarm \(alarm.id) fra \(site.name): \(kind.lowercased()) hos \(who), \(room(alarm.room).lowercased()), kl. \(time). Ikke kvittert av personalet; trinn \(alarm.tier + 1)."
            )
        case (.english, .external, _):
            return (
                "\(severityName(alarm.severity)): \(kind) – \(site.name), \(room(alarm.room))",
                "Alarm \(alarm.id) from \(site.name): \(kind.lowercased()) for \(who), \(room(alarm.room).lowercased()), at \(time). Not acknowledged by staff; tier \(alarm.tier + 1)."
            )
        case (.norwegianBokmal, .staff, _):
            let repeatNote = alarm.round > 0 ? " Fortsatt ikke kvittert (gjentakelse \(alarm.round))." : ""
            return (
                "\(severityName(alarm.severity)): \(kind) – \(room(alarm.room))",
                "Alarm \(alarm.id): \(kind.lowercased()) hos \(who), \(room(alarm.room).lowercased()), kl. \(time). Trinn \(alarm.tier + 1).\(repeatNote) Kvitter i Vakt."
            )
        case (.english, .staff, _):
            let repeatNote = alarm.round > 0 ? " Still not acknowledged (repeat \(alarm.round))." : ""
            return (
                "\(severityName(alarm.severity)): \(kind) – \(room(alarm.room))",
                "Alarm \(alarm.id): \(kind.lowercased()) for \(who), \(room(alarm.room).lowercased()), at \(time). Tier \(alarm.tier + 1).\(repeatNote) Acknowledge in Vakt."
            )
        case (.norwegianBokmal, .nextOfKin, true):
            return (
                "Melding fra \(site.name)",
                "\(kind) registrert hos \(resident?.displayName ?? "beboer") kl. \(time). Personalet er varslet og følger opp."
            )
        case (.english, .nextOfKin, true):
            return (
                "Message from \(site.name)",
                "\(kind) registered for \(resident?.displayName ?? "the resident") at \(time). Staff have been alerted and are following up."
            )
        case (.norwegianBokmal, .nextOfKin, false):
            return (
                "Melding fra \(site.name)",
                "Personalet følger opp en hendelse hos \(resident?.displayName ?? "beboer"). Ta kontakt med \(site.name) ved spørsmål."
            )
        case (.english, .nextOfKin, false):
            return (
                "Message from \(site.name)",
                "Staff are following up an event concerning \(resident?.displayName ?? "the resident"). Contact \(site.name) with any questions."
            )
        }
    }

    /// The alarm kinds the shipped rules use, by language: (bokmål, English).
    private static let kindNames: [String: (String, String)] = [
        "fall": ("Fall", "Fall"),
        "sos": ("Trygghetsknapp", "SOS button"),
        "medical": ("Medisinsk alarm", "Medical alarm"),
        "smoke": ("Røykvarsler", "Smoke alarm"),
        "water-leak": ("Vannlekkasje", "Water leak"),
        "inactivity": ("Manglende aktivitet", "No activity"),
        "missed-dose": ("Glemt dose", "Missed dose"),
        "door": ("Dør åpnet", "Door opened"),
        "door-open": ("Dør står åpen", "Door left open"),
        "wandering": ("Vandring", "Wandering"),
        "out-of-bed": ("Ikke tilbake i seng", "Not back in bed"),
        "device-offline": ("Enhet frakoblet", "Device offline"),
        "bridge-offline": ("Mottaker/gateway frakoblet", "Receiver or gateway offline"),
        "low-battery": ("Lavt batteri", "Low battery"),
        "tamper": ("Sabotasje", "Tamper"),
        "dispenser-jammed": ("Medisindispenser fastkjørt", "Dispenser jammed"),
        "refill-low": ("Medisindispenser snart tom", "Dispenser refill low"),
    ]

    public func kindName(_ kind: String) -> String {
        if let names = Self.kindNames[kind] {
            return site.language == .norwegianBokmal ? names.0 : names.1
        }
        return kind.prefix(1).uppercased() + kind.dropFirst()
    }

    public func severityName(_ severity: Severity) -> String {
        switch (severity, site.language) {
        case (.critical, .norwegianBokmal): "KRITISK"
        case (.high, .norwegianBokmal): "HØY"
        case (.medium, .norwegianBokmal): "MIDDELS"
        case (.low, .norwegianBokmal): "LAV"
        case (.critical, .english): "CRITICAL"
        case (.high, .english): "HIGH"
        case (.medium, .english): "MEDIUM"
        case (.low, .english): "LOW"
        }
    }

    private func room(_ id: String) -> String {
        let name = site.room(id)?.name ?? id
        return name
    }

    /// `HH:mm` in the site's time zone.
    public func clock(_ date: Date) -> String {
        site.calendar.local(date).time.description
    }
}
