/// A channel that cannot be built from its configuration.
///
/// The description names the channel and the header or setting at fault, never a header's
/// value, a secret or the URL (which may carry a token).
public struct ChannelConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case unsupportedURL
        case invalidHeaderName(String)
        case invalidHeaderValue(String)
        case reservedHeader(String)
        case secret(header: String, SecretError)
        case invalidTimeout
        /// A setting the channel's type needs is missing or unusable (`from` for e-mail).
        case setting(String, String)
    }

    /// The channel's id.
    public let channel: String
    let kind: Kind

    init(channel: String, _ kind: Kind) {
        self.channel = channel
        self.kind = kind
    }

    /// The secret that could not be resolved, when that was the problem.
    public var secretError: SecretError? {
        if case .secret(_, let error) = kind { return error }
        return nil
    }

    public var description: String {
        let problem =
            switch kind {
            case .unsupportedURL: "the URL is not an http or https URL with a host"
            case .invalidHeaderName(let name): "header name '\(name)' is not a valid HTTP header name"
            case .invalidHeaderValue(let name): "the value of header \(name) contains a line break or NUL"
            case .reservedHeader(let name): "header \(name) is set by Vakt and cannot be configured"
            case .secret(let header, let error): "header \(header): \(error)"
            case .invalidTimeout: "the timeout must be a positive number of seconds"
            case .setting(let name, let problem): "\(name): \(problem)"
            }
        return "channel \(channel): \(problem)"
    }
}
