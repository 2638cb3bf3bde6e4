/// Blanks secrets out of text a peer sent back, before it becomes a failure reason.
struct Redaction: Sendable {
    static let marker = "[redacted]"

    /// The secret values to hide; empty ones are ignored.
    let secrets: [String]

    init(secrets: [String]) { self.secrets = secrets.filter { !$0.isEmpty } }

    /// `text` with every whole occurrence of a secret replaced by the marker, and a trailing
    /// start of a secret (left where the text was cut) removed as well.
    func apply(_ text: String) -> String {
        var text = text
        for secret in secrets {
            text = text.replacingOccurrences(of: secret, with: Self.marker)
        }
        for secret in secrets {
            for length in stride(from: min(secret.count - 1, text.count), through: 1, by: -1)
            where text.hasSuffix(secret.prefix(length)) {
                text = String(text.dropLast(length)) + Self.marker
                break
            }
        }
        return text
    }
}
