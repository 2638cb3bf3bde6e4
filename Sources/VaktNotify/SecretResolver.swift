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

    /// Reads a secret file that only its owner (and, when the owner is root or this user,
    /// its group) can read, as PostgreSQL does for its key files: `0600`, or `0640` owned by
    /// root with the service's group. The mode is checked on the opened file, so it is the
    /// file that was read.
    static func readPrivate(_ path: String) throws(SecretError) -> Data {
        guard let file = FileHandle(forReadingAtPath: path) else { throw SecretError(.unreadableFile(path)) }
        defer { try? file.close() }
        var info = stat()
        guard fstat(file.fileDescriptor, &info) == 0 else { throw SecretError(.unreadableFile(path)) }
        let mode = info.st_mode & 0o777
        let ownerTrusted = info.st_uid == 0 || info.st_uid == geteuid()
        // Others may not touch it; the group may not write it, and may read it only when the
        // owner is root or this user.
        if mode & 0o007 != 0 || mode & 0o020 != 0 || (mode & 0o040 != 0 && !ownerTrusted) {
            throw SecretError(.readableByOthers(path, mode: Int(mode)))
        }
        do {
            return try file.readToEnd() ?? Data()
        } catch {
            throw SecretError(.unreadableFile(path))
        }
    }

    /// Returns the value `reference` stands for.
    ///
    /// - Throws: `SecretError` when the file cannot be read or is empty, or the variable is
    ///   unset or empty.
    public func resolve(_ reference: String) throws(SecretError) -> String {
        if reference.hasPrefix("file:") {
            let path = String(reference.dropFirst("file:".count))
            let data = try Self.readPrivate(path)
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
            "the secret file \(path) is open to other users (mode \(String(mode, radix: 8))); make it private to the user Vakt runs as: chmod 600 \(path) (owned by that user), or chmod 640 with owner root and Vakt's group"
        case .missingVariable(let name): "the environment variable \(name) is not set"
        }
    }
}
