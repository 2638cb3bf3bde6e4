/// A configured way to send notifications (a webhook endpoint, an SMS gateway, ...).
public struct Channel: Sendable, Equatable, Identifiable {
    public var id: String
    public var kind: ChannelKind
    /// The endpoint URL.
    public var url: String
    /// Extra HTTP headers. Values may name a secret file with `file:`; the secret is read
    /// when the channel is built and never logged.
    public var headers: [String: String]
    /// Seconds before one attempt gives up.
    public var timeoutSeconds: Double
    /// Attempts before a notification has failed for good.
    public var maxAttempts: Int

    public init(
        id: String, kind: ChannelKind, url: String, headers: [String: String] = [:],
        timeoutSeconds: Double = 10, maxAttempts: Int = 8
    ) {
        self.id = id
        self.kind = kind
        self.url = url
        self.headers = headers
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
    }
}

public enum ChannelKind: String, Sendable, Equatable, CaseIterable, Codable {
    case webhook
}
