import Crypto
import Foundation
import VaktCore

/// Delivers notifications as JSON POSTs to an HTTP endpoint, through libcurl.
///
/// Each attempt runs on `CurlQueue`, so a slow endpoint never blocks the hub's tasks, on an
/// easy handle of its own while it runs (kept with its connection for the next, see
/// `CurlConnections`). Every request carries `Content-Type: application/json`,
/// `Idempotency-Key: <notification key>`, `User-Agent: vakt/<version>` and the channel's own
/// headers, whose `file:` and `env:` values are resolved once, when the notifier is built.
/// The body is `WebhookPayload`: the same notification always gives the same bytes.
/// Secrets never appear in a failure reason, even when a receiver echoes them back.
public final class WebhookNotifier: Notifier {
    /// The User-Agent product token; keep in step with the `vakt` executable's version.
    public static let defaultUserAgent = "vakt/0.1.0"

    public let channelID: String
    private let url: String
    private let headerLines: [String]
    private let redaction: Redaction
    private let timeout: Double
    private let connectTimeout: Double
    /// The key each body is signed with, when the channel has `hmac_secret`.
    private let signingKey: Data?
    private let connections = CurlConnections()

    /// Builds the notifier for a webhook channel.
    ///
    /// - Parameters:
    ///   - channel: The URL (http or https), headers and per-attempt timeout.
    ///   - secrets: Resolves `file:` and `env:` header values.
    ///   - userAgent: The User-Agent header unless the channel sets one.
    ///   - connectTimeout: Seconds allowed for connecting, within the channel's timeout.
    /// - Throws: `ChannelConfigurationError` for a URL that is not http(s), a malformed or
    ///   reserved header, a secret that cannot be resolved, or a timeout that is not positive.
    public init(
        channel: Channel, secrets: SecretResolver, userAgent: String = WebhookNotifier.defaultUserAgent,
        connectTimeout: Double = 5
    ) throws(ChannelConfigurationError) {
        channelID = channel.id
        url = try httpURL(channel)
        timeout = channel.timeoutSeconds
        self.connectTimeout = min(max(connectTimeout, 0.001), channel.timeoutSeconds)

        let configured = try Self.resolveHeaders(channel, secrets: secrets)
        let hmac = try secrets.resolve(channel.hmacSecret, setting: "hmac_secret", channel: channel)
        signingKey = hmac.map { Data($0.utf8) }
        redaction = Redaction(secrets: configured.secrets + (hmac.map { [$0] } ?? []))
        var lines = ["Content-Type: application/json", "User-Agent: \(userAgent)"]
        let names = Set(configured.headers.map { $0.name.lowercased() })
        lines.removeAll { names.contains($0.prefix { $0 != ":" }.lowercased()) }
        lines += configured.headers.map { "\($0.name): \($0.value)" }
        // An empty Expect header stops libcurl from waiting for "100 Continue" on larger bodies.
        lines.append("Expect:")
        headerLines = lines
    }

    /// HMAC-SHA256 of the body, lower-case hex: what a receiver recomputes with the shared
    /// secret to know the body came from this hub, unaltered.
    static func signature(of body: Data, key: Data) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key)))
    }

    public func attempt(_ notification: VaktCore.Notification, site: SiteInfo) async -> DeliveryAttempt {
        let body = WebhookPayload.encode(notification, site: site)
        var headers = headerLines
        if let signingKey { headers.append("X-Vakt-Signature: sha256=\(Self.signature(of: body, key: signingKey))") }
        let post = HTTPPost(
            url: url, headers: headers, body: body, timeout: timeout, connectTimeout: connectTimeout,
            connections: connections)
        return await HTTPDelivery.send(post, for: notification, redaction: redaction)
    }
}
