import Foundation

/// Resolves configuration values that refer to secrets.
///
/// `file:/path` reads the file (surrounding whitespace and the trailing newline trimmed; a
/// file group or others may read is refused: `chmod 600`),
/// `env:NAME` reads an environment variable, and any other value is returned unchanged.
/// Errors name the file or the variable, never what it holds.
public struct SecretResolver: Sendable {
    private let environment: [String: String]

    /// - Parameter environment: Where `env:` values come from; the process environment by default.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Whether `value` refers to a secret rather than holding a literal.
    public static func isReference(_ value: String) -> Bool {
        value.hasPrefix("file:") || value.hasPrefix("env:")
    }

    /// Returns the value `reference` stands for.
    ///
    /// - Throws: `SecretError` when the file cannot be read or is empty, or the variable is
    ///   unset or empty.
    public func resolve(_ reference: String) throws(SecretError) -> String {
        if reference.hasPrefix("file:") {
            let path = String(reference.dropFirst("file:".count))
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SecretError(.unreadableFile(path))
            }
            // A secret others can read is not a secret: refuse it, with the fix.
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
                throw SecretError(.readableByOthers(path, mode: Int(info.st_mode & 0o777)))
            }
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw SecretError(.emptyFile(path)) }
            return secret
        }
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst("env:".count))
            guard let secret = environment[name], !secret.isEmpty else {
                throw SecretError(.missingVariable(name))
            }
            return secret
        }
        return reference
    }
}

/// A secret that could not be resolved. The description names the file or the variable only.
public struct SecretError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case unreadableFile(String)
        case emptyFile(String)
        case readableByOthers(String, mode: Int)
        case missingVariable(String)
    }

    let kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    /// The file that could not be read, if that was the problem.
    public var file: String? {
        switch kind {
        case .unreadableFile(let path), .emptyFile(let path), .readableByOthers(let path, _): path
        case .missingVariable: nil
        }
    }

    /// The environment variable that was missing, if that was the problem.
    public var variable: String? {
        if case .missingVariable(let name) = kind { return name }
        return nil
    }

    public var description: String {
        switch kind {
        case .unreadableFile(let path): "cannot read the secret file \(path)"
        case .emptyFile(let path): "the secret file \(path) is empty"
        case .readableByOthers(let path, let mode):
            "the secret file \(path) can be read by other users (mode \(String(mode, radix: 8))); run: chmod 600 \(path)"
        case .missingVariable(let name): "the environment variable \(name) is not set"
        }
    }
}
