import Foundation
import VaktCore

/// Pushes notifications to phones through ntfy's HTTP publish API (a self-hosted ntfy server,
/// or ntfy.sh): JSON published to the server's base URL, the recipient's address being the
/// topic their ntfy app subscribes to.
///
/// Priority follows severity (critical 5, high 4, medium 3, low 2); tags mark the severity
/// and chain tests; with `click` configured, a tap (and a "Vis" / "Open" button) opens that
/// URL with `{alarm}` replaced by the alarm id.
public final class NtfyNotifier: Notifier {
    public let channelID: String
    private let url: String
    private let headerLines: [String]
    private let redaction: Redaction
    private let timeout: Double
    private let clickURL: String?
    private let connections = CurlConnections()

    /// - Throws: `ChannelConfigurationError` for a URL that is not http(s) or an unreadable token.
    public init(channel: Channel, secrets: SecretResolver) throws(ChannelConfigurationError) {
        channelID = channel.id
        url = try httpURL(channel)
        timeout = channel.timeoutSeconds
        clickURL = channel.clickURL
        let token = try secrets.resolve(channel.token, setting: "token", channel: channel)
        let configured = try WebhookNotifier.resolveHeaders(channel, secrets: secrets)
        redaction = Redaction(secrets: configured.secrets + (token.map { [$0] } ?? []))
        var lines = ["Content-Type: application/json", "User-Agent: \(WebhookNotifier.defaultUserAgent)", "Expect:"]
        if let token { lines.append("Authorization: Bearer \(token)") }
        headerLines = lines + configured.headers.map { "\($0.name): \($0.value)" }
    }

    static func priority(_ severity: Severity) -> Int {
        switch severity {
        case .critical: 5
        case .high: 4
        case .medium: 3
        case .low: 2
        }
    }

    /// The JSON ntfy publishes.
    func message(_ notification: VaktCore.Notification, topic: String) -> Data {
        var tags = [
            notification.severity == .critical ? "rotating_light" : notification.severity == .high ? "warning" : "bell"
        ]
        if notification.title.hasPrefix("TEST") { tags.append("test_tube") }
        var object: [String: Any] = [
            "topic": topic, "title": notification.title, "message": notification.body,
            "priority": Self.priority(notification.severity), "tags": tags,
        ]
        if let clickURL {
            let link = clickURL.replacingOccurrences(of: "{alarm}", with: notification.alarm)
            object["click"] = link
            object["actions"] = [["action": "view", "label": "Vis / Open", "url": link]]
        }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    public func attempt(_ notification: VaktCore.Notification, site: SiteInfo) async -> DeliveryAttempt {
        guard let topic = notification.recipient.address, NtfyTopic.isValid(topic) else {
            return DeliveryAttempt.failed(
                reason: "recipient \(notification.recipient.id) has no ntfy topic (letters, digits, - and _)",
                retryable: false)
        }
        let post = HTTPPost(
            url: url, headers: headerLines, body: message(notification, topic: topic), timeout: timeout,
            connectTimeout: min(5, timeout), connections: connections)
        return await HTTPDelivery.send(post, for: notification, redaction: redaction)
    }
}
