import VaktCore

extension WebhookNotifier {
    /// The channel's headers with their secrets resolved, sorted by name, and the secret
    /// values themselves (to keep them out of failure reasons).
    ///
    /// - Throws: `ChannelConfigurationError` for a bad name or value, `Idempotency-Key`
    ///   (Vakt sets it per notification), or a secret that cannot be resolved.
    static func resolveHeaders(
        _ channel: Channel, secrets: SecretResolver
    ) throws(ChannelConfigurationError) -> (headers: [(name: String, value: String)], secrets: [String]) {
        var headers: [(name: String, value: String)] = []
        var secretValues: [String] = []
        for (name, reference) in channel.headers.sorted(by: { $0.key < $1.key }) {
            guard isValidHeaderName(name) else {
                throw ChannelConfigurationError(channel: channel.id, .invalidHeaderName(name))
            }
            guard name.lowercased() != "idempotency-key" else {
                throw ChannelConfigurationError(channel: channel.id, .reservedHeader(name))
            }
            let value: String
            do {
                value = try secrets.resolve(reference)
            } catch {
                throw ChannelConfigurationError(channel: channel.id, .secret(header: name, error))
            }
            guard isValidHeaderValue(value) else {
                throw ChannelConfigurationError(channel: channel.id, .invalidHeaderValue(name))
            }
            if SecretResolver.isReference(reference) { secretValues.append(value) }
            headers.append((name, value))
        }
        return (headers, secretValues)
    }

    /// An RFC 9110 token: letters, digits and ``!#$%&'*+-.^_`|~``.
    static func isValidHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && tokenCharacters.contains(Character($0)) }
    }

    /// No line breaks or NUL, which would let a value start another header.
    static func isValidHeaderValue(_ value: String) -> Bool {
        !value.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
    }

    private static let tokenCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")
}
