import Foundation
import VaktCore

/// Sends notifications as text messages through an HTTP SMS gateway, in one of the two
/// shapes most gateways take (`SMSPreset`): JSON with a bearer token, or form fields with a
/// user and key. The recipient's address must be a phone number in E.164 form.
///
/// The text is the notification's title and body on two lines. Each request carries the
/// notification's `Idempotency-Key`; gateways that honour it drop a resend after a crash.
public final class SMSNotifier: Notifier {
    public let channelID: String
    private let url: String
    private let preset: SMSPreset
    private let credential: (user: String?, secret: String)
    private let sender: String?
    private let headerLines: [String]
    private let redaction: Redaction
    private let timeout: Double
    private let request: SMSRequest
    private let connections = CurlConnections()

    /// - Throws: `ChannelConfigurationError` for a URL that is not http(s), a missing or
    ///   unreadable token or key, or bad headers.
    public init(channel: Channel, secrets: SecretResolver) throws(ChannelConfigurationError) {
        channelID = channel.id
        url = try httpURL(channel)
        preset = channel.smsPreset ?? .jsonBearer
        timeout = channel.timeoutSeconds
        sender = channel.sender
        request = channel.smsRequest ?? SMSRequest()
        let reference = preset == .formKey ? channel.password : channel.token
        let setting = preset == .formKey ? "key" : "token"
        let resolved = try secrets.resolve(reference, setting: setting, channel: channel)
        guard let secret = resolved ?? (preset == .custom ? "" : nil) else {
            throw ChannelConfigurationError(channel: channel.id, .setting(setting, "the gateway needs one"))
        }
        credential = (channel.username, secret)
        let configured = try WebhookNotifier.resolveHeaders(channel, secrets: secrets)
        // A gateway that quotes the request back shows the key form-encoded.
        redaction = Redaction(
            secrets: configured.secrets + [
                secret, Self.formEncode(secret), Self.urlEncode(secret), Self.jsonEscape(secret),
            ])
        let form = preset == .formKey || (preset == .custom && request.format == .form)
        var lines = [
            "Content-Type: " + (form ? "application/x-www-form-urlencoded" : "application/json"),
            "User-Agent: \(WebhookNotifier.defaultUserAgent)", "Expect:",
        ]
        if preset == .jsonBearer { lines.append("Authorization: Bearer \(secret)") }
        if preset == .custom, request.method == .get { lines.removeFirst() }  // no body, no type
        headerLines = lines + configured.headers.map { "\($0.name): \($0.value)" }
    }

    /// The message text: title and body on two lines.
    static func text(_ notification: VaktCore.Notification) -> String {
        "\(notification.title)\n\(notification.body)"
    }

    /// The request body for `notification` to `number`.
    func body(_ notification: VaktCore.Notification, to number: String) -> Data {
        let text = Self.text(notification)
        switch preset {
        case .jsonBearer:
            var object: [String: Any] = ["to": number, "text": text, "reference": notification.key]
            if let sender { object["from"] = sender }
            return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        case .formKey:
            var fields = [("user", credential.user ?? ""), ("key", credential.secret), ("to", number)]
            if let sender { fields.append(("from", sender)) }
            fields += [("text", text), ("reference", notification.key)]
            return Data(fields.map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&").utf8)
        case .custom:
            guard let template = request.body else { return Data() }
            let values = values(notification, to: number)
            let filled =
                request.format == .form
                ? Self.fill(template, values, escape: { Self.formEncode($0) })
                : Self.fill(template, values, escape: { Self.jsonEscape($0) })
            return Data(filled.utf8)
        }
    }

    /// The values of a custom request's placeholders.
    func values(_ notification: VaktCore.Notification, to number: String) -> [String: String] {
        [
            "to": number, "text": Self.text(notification), "from": sender ?? "", "reference": notification.key,
            "secret": credential.secret,
        ]
    }

    /// `template` with each placeholder replaced by its escaped value.
    static func fill(_ template: String, _ values: [String: String], escape: (String) -> String) -> String {
        var out = template
        for (name, value) in values { out = out.replacingOccurrences(of: "{\(name)}", with: escape(value)) }
        return out
    }

    /// A value for inside a JSON string (the template has the quotes).
    static func jsonEscape(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst(2).dropLast(2))
    }

    /// Percent-encoding for a URL: unreserved characters as they are, the rest as `%XX`.
    static func urlEncode(_ text: String) -> String {
        formEncode(text).replacingOccurrences(of: "+", with: "%20")
    }

    /// `application/x-www-form-urlencoded`: unreserved characters as they are, the rest as
    /// `%XX` of their UTF-8 bytes, spaces as `+`.
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: " "): out.append("+")
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    public func attempt(_ notification: VaktCore.Notification, site: SiteInfo) async -> DeliveryAttempt {
        guard let address = notification.recipient.address, let number = PhoneNumber.e164(address) else {
            return DeliveryAttempt.failed(
                reason: "recipient \(notification.recipient.id) has no phone number in E.164 form (+47...)",
                retryable: false)
        }
        // A custom gateway may take everything in the URL (percent-encoded there).
        let target =
            preset == .custom ? Self.fill(url, values(notification, to: number), escape: { Self.urlEncode($0) }) : url
        let post = HTTPPost(
            url: target, method: preset == .custom ? request.method.rawValue : "POST",
            headers: headerLines, body: body(notification, to: number), timeout: timeout,
            connectTimeout: min(5, timeout), connections: connections)
        return await HTTPDelivery.send(post, for: notification, redaction: redaction)
    }
}
