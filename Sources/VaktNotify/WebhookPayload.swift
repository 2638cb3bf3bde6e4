import Foundation
import VaktCore

/// The JSON body a webhook receives for one notification.
///
/// The same notification and site always give the same bytes (keys sorted, no timestamp),
/// so a resend is byte-for-byte what was sent before and the idempotency key describes it.
/// A recipient without an address has `"address": null`, so every body has the same fields.
struct WebhookPayload: Encodable {
    struct SitePart: Encodable {
        let id: String
        let name: String
    }

    /// `kind` and `room` are null when they are withheld from the recipient (next of kin
    /// without consent to health detail); the keys are always present.
    struct AlarmPart: Encodable {
        let id: String
        let kind: String?
        let severity: String
        let room: String?
        let tier: Int
        let round: Int

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(kind, forKey: .kind)
            try container.encode(severity, forKey: .severity)
            try container.encode(room, forKey: .room)
            try container.encode(tier, forKey: .tier)
            try container.encode(round, forKey: .round)
        }

        enum CodingKeys: String, CodingKey { case id, kind, severity, room, tier, round }
    }

    struct RecipientPart: Encodable {
        let id: String
        let name: String
        let kind: String
        let address: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(kind, forKey: .kind)
            try container.encode(address, forKey: .address)
        }

        enum CodingKeys: String, CodingKey { case id, name, kind, address }
    }

    let idempotencyKey: String
    let site: SitePart
    let alarm: AlarmPart
    let recipient: RecipientPart
    let title: String
    let body: String

    enum CodingKeys: String, CodingKey {
        case idempotencyKey = "idempotency_key"
        case site, alarm, recipient, title, body
    }

    init(_ notification: VaktCore.Notification, site: SiteInfo) {
        idempotencyKey = notification.key
        self.site = SitePart(id: site.id, name: site.name)
        alarm = AlarmPart(
            id: notification.alarm, kind: notification.alarmKind.isEmpty ? nil : notification.alarmKind,
            severity: notification.severity.rawValue, room: notification.room.isEmpty ? nil : notification.room,
            tier: notification.tier, round: notification.round)
        recipient = RecipientPart(
            id: notification.recipient.id, name: notification.recipient.name,
            kind: notification.recipient.kind.rawValue, address: notification.recipient.address)
        title = notification.title
        body = notification.body
    }

    /// The body as UTF-8 JSON on one line.
    static func encode(_ notification: VaktCore.Notification, site: SiteInfo) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and an optional string cannot fail to encode.
        return (try? encoder.encode(WebhookPayload(notification, site: site))) ?? Data("{}".utf8)
    }
}
