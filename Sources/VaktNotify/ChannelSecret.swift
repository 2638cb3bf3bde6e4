import VaktCore

extension SecretResolver {
    /// Resolves a channel setting that names a secret (`file:` or `env:`), naming the setting
    /// (never the value) when it cannot be read.
    func resolve(_ reference: String?, setting: String, channel: Channel) throws(ChannelConfigurationError)
        -> String?
    {
        guard let reference else { return nil }
        do {
            return try resolve(reference)
        } catch {
            throw ChannelConfigurationError(channel: channel.id, .secret(header: setting, error))
        }
    }
}

/// An HTTP(S) URL with a host, as webhook, SMS and ntfy channels need.
func httpURL(_ channel: Channel) throws(ChannelConfigurationError) -> String {
    guard let components = URLComponentsLite(channel.url), ["http", "https"].contains(components.scheme),
        !components.host.isEmpty
    else { throw ChannelConfigurationError(channel: channel.id, .unsupportedURL) }
    guard channel.timeoutSeconds > 0, channel.timeoutSeconds.isFinite else {
        throw ChannelConfigurationError(channel: channel.id, .invalidTimeout)
    }
    return channel.url
}

/// The scheme and host of a URL, without Foundation's URL parser (which accepts too much).
struct URLComponentsLite {
    var scheme: String
    var host: String

    init?(_ text: String) {
        guard let range = text.range(of: "://") else { return nil }
        scheme = text[..<range.lowerBound].lowercased()
        let rest = text[range.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        host =
            hostPort.hasPrefix("[")
            ? String(hostPort.prefix { $0 != "]" }.dropFirst()) : String(hostPort.prefix { $0 != ":" })
    }
}
