/// Where the broker is: `mqtt://host:port`, `mqtts://host:port` or `unix:///path`.
///
/// For a Unix socket libmosquitto takes the socket's path as the host and port 0, so that is
/// how it is stored. Credentials do not belong in the URL (it is logged): a URL with a user
/// part is rejected.
public struct BrokerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var isUnixSocket: Bool
    public var tls: Bool

    public init(host: String, port: Int, isUnixSocket: Bool = false, tls: Bool = false) {
        self.host = host
        self.port = port
        self.isUnixSocket = isUnixSocket
        self.tls = tls
    }

    /// A broker URL that cannot be used, and why.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Parses a broker URL.
    ///
    /// The scheme is case-insensitive. The port defaults to 1883 (`mqtt`) or 8883 (`mqtts`);
    /// IPv6 hosts go in brackets (`mqtt://[::1]:1883`). A trailing `/` is allowed, any other
    /// path is not.
    /// - Throws: `BrokerAddress.ParseError` naming what is wrong.
    public static func parse(_ url: String) throws(ParseError) -> BrokerAddress {
        guard let separator = url.range(of: "://") else {
            throw ParseError(
                "'\(url)' is not a broker URL (expected mqtt://host:port, mqtts://host:port or unix:///path)")
        }
        let scheme = url[..<separator.lowerBound].lowercased()
        let rest = String(url[separator.upperBound...])
        switch scheme {
        case "unix":
            guard rest.hasPrefix("/"), rest.count > 1 else {
                throw ParseError("unix socket URL needs an absolute path: unix:///path/to/socket")
            }
            return BrokerAddress(host: rest, port: 0, isUnixSocket: true)
        case "mqtt", "mqtts":
            let tls = scheme == "mqtts"
            let (host, port) = try hostAndPort(rest, defaultPort: tls ? 8883 : 1883)
            return BrokerAddress(host: host, port: port, tls: tls)
        default:
            throw ParseError("unsupported scheme '\(scheme)' (expected mqtt, mqtts or unix)")
        }
    }

    private static func hostAndPort(_ text: String, defaultPort: Int) throws(ParseError) -> (String, Int) {
        var authority = Substring(text)
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.contains("/") else { throw ParseError("broker URL must not have a path") }
        guard !authority.contains("@") else {
            throw ParseError("broker URL must not hold credentials; configure the user and password file instead")
        }
        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError("unclosed '[' in broker host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else {
                throw ParseError("unexpected text after ']' in broker host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard !host.isEmpty else { throw ParseError("broker URL has no host") }
        guard let portText else { return (String(host), defaultPort) }
        guard let port = Int(portText), (1...65_535).contains(port), portText.allSatisfy(\.isASCII) else {
            throw ParseError("invalid port '\(portText)' (1-65535)")
        }
        return (String(host), port)
    }

    /// The address as a URL, for logs and error messages.
    public var description: String {
        if isUnixSocket { return "unix://\(host)" }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "mqtts" : "mqtt")://\(shownHost):\(port)"
    }
}
