/// A configured way to send notifications: a webhook endpoint, an SMS gateway, an ntfy server
/// for push to phones, or an SMTP server for e-mail.
public struct Channel: Sendable, Equatable, Identifiable {
    public var id: String
    public var kind: ChannelKind
    /// The endpoint: `http(s)://` for webhook, SMS and ntfy; `smtp://` or `smtps://` for e-mail.
    public var url: String
    /// Extra HTTP headers. Values may name a secret with `file:` or `env:`; the secret is read
    /// when the channel is built and never logged.
    public var headers: [String: String]
    /// Seconds before one attempt gives up.
    public var timeoutSeconds: Double
    /// Attempts before a notification has failed for good.
    public var maxAttempts: Int
    /// Webhook: a secret (`file:` or `env:`) to sign each body with HMAC-SHA256.
    public var hmacSecret: String?
    /// SMS: which request shape the gateway takes.
    public var smsPreset: SMSPreset?
    /// SMS with preset `custom`: the request.
    public var smsRequest: SMSRequest?
    /// SMS (`json-bearer`) and ntfy: the access token, as a secret reference.
    public var token: String?
    /// SMS (`form-key`) and SMTP: the login.
    public var username: String?
    /// SMS (`form-key`: the API key) and SMTP: the password, as a secret reference.
    public var password: String?
    /// SMS: the sender name or number; SMTP: the From address.
    public var sender: String?
    /// ntfy: where a tap on the notification leads; `{alarm}` is replaced by the alarm id.
    public var clickURL: String?
    /// SMTP on `smtp://`: require STARTTLS before logging in.
    public var startTLS: Bool
    /// At most this many messages to one person through this channel within the window;
    /// critical alarms are never held back. `nil`: no limit.
    public var rateLimit: RateLimit?

    public init(
        id: String, kind: ChannelKind, url: String, headers: [String: String] = [:],
        timeoutSeconds: Double = 10, maxAttempts: Int = 8, hmacSecret: String? = nil, smsPreset: SMSPreset? = nil,
        smsRequest: SMSRequest? = nil,
        token: String? = nil, username: String? = nil, password: String? = nil, sender: String? = nil,
        clickURL: String? = nil, startTLS: Bool = false
    ) {
        self.id = id
        self.kind = kind
        self.url = url
        self.headers = headers
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.hmacSecret = hmacSecret
        self.smsPreset = smsPreset
        self.smsRequest = smsRequest
        self.token = token
        self.username = username
        self.password = password
        self.sender = sender
        self.clickURL = clickURL
        self.startTLS = startTLS
    }
}

/// How many messages one person may get through a channel within a window.
public struct RateLimit: Sendable, Equatable {
    public var max: Int
    public var perSeconds: Double

    public init(max: Int, perSeconds: Double) {
        self.max = max
        self.perSeconds = perSeconds
    }
}

public enum ChannelKind: String, Sendable, Equatable, CaseIterable, Codable {
    case webhook
    /// An HTTP SMS gateway.
    case sms
    /// ntfy's HTTP publish API (self-hosted or ntfy.sh): push to staff and relatives' phones.
    case ntfy
    /// E-mail through an SMTP server.
    case smtp
}

/// The two shapes most HTTP SMS gateways take.
public enum SMSPreset: String, Sendable, Equatable, CaseIterable, Codable {
    /// `POST` JSON `{"to", "from", "text"}` with `Authorization: Bearer <token>`.
    case jsonBearer = "json-bearer"
    /// `POST` form fields `user`, `key`, `to`, `from`, `text`.
    case formKey = "form-key"
    /// The channel's own `method`, URL and `body` template (`SMSRequest`).
    case custom
}

/// A custom SMS gateway request: method, URL and body with placeholders `{to}` `{text}`
/// `{from}` `{reference}` `{secret}`, each filled escaped for where it stands (the URL, a JSON
/// body, a form body).
public struct SMSRequest: Sendable, Equatable {
    public enum Method: String, Sendable, Equatable, CaseIterable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
    }

    public enum BodyFormat: String, Sendable, Equatable, CaseIterable {
        case json
        case form
    }

    public var method: Method
    /// The body template; `nil` for a GET whose URL carries everything.
    public var body: String?
    public var format: BodyFormat

    public init(method: Method = .post, body: String? = nil, format: BodyFormat = .json) {
        self.method = method
        self.body = body
        self.format = format
    }

    public static let placeholders = ["to", "text", "from", "reference", "secret"]
}

/// Phone numbers as SMS gateways take them: E.164, `+` and 8 to 15 digits, spaces allowed
/// in config for readability.
public enum PhoneNumber {
    /// The number in E.164 (`+4790000001`), or `nil` if it is not one.
    public static func e164(_ text: String) -> String? {
        let compact = text.filter { $0 != " " && $0 != "-" }
        guard compact.hasPrefix("+"), compact.count >= 9, compact.count <= 16,
            compact.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), compact.dropFirst().first != "0"
        else { return nil }
        return compact
    }
}

/// E-mail addresses as Vakt sends to them: a plain `name@host.domain`, nothing that could
/// start another header or name a second recipient.
public enum EmailAddress {
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".")
            && !text.contains { $0.isWhitespace || "<>,;\"()[]\\".contains($0) || $0 == "\r" || $0 == "\n" }
    }
}

/// ntfy topics as Vakt publishes to them: letters, digits, `-` and `_`.
public enum NtfyTopic {
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
