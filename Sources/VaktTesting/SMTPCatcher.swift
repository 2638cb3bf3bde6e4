import Foundation

/// A real SMTP peer for e-mail tests: `scripts/smtp-catcher` (aiosmtpd) on a free loopback
/// port, with the reply, stall and login a test asks for.
public final class SMTPCatcher: @unchecked Sendable {
    /// One message as the catcher received it.
    public struct Message: Sendable {
        public var envelopeFrom: String
        public var envelopeTo: [String]
        /// Header names in lower case, values decoded (a UTF-8 subject as text).
        public var headers: [String: String]
        /// Header values as sent (an encoded-word subject as `=?UTF-8?B?...?=`).
        public var rawHeaders: [String: String]
        /// The text body, decoded.
        public var body: String
        public var login: String?
        public var password: String?
    }

    public let process: ChildProcess
    public let port: Int
    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// - Parameter arguments: e.g. `["--reply", "550 5.1.1 no such mailbox"]`, `["--stall", "30"]`
    ///   or `["--login", "vakt:secret"]`.
    public init(arguments: [String] = []) throws {
        let script = RepositoryPaths.root.appendingPathComponent("scripts/smtp-catcher").path
        process = try ChildProcess("/usr/bin/python3", [script, "--port", "0"] + arguments)
        do {
            let line = try process.waitForLine(containing: "listening on smtp://")
            guard let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) else {
                throw TestSupportError("smtp-catcher printed no port: \(line)")
            }
            self.port = port
        } catch {
            process.kill()
            throw error
        }
    }

    /// Waits until `count` messages have arrived; returns all so far, in arrival order.
    public func waitForMessages(count: Int, timeout: TimeInterval = 30) throws -> [Message] {
        if count > 0 { try process.waitForLine(containing: "message \(count) {", timeout: timeout) }
        return try process.output.compactMap { line -> Message? in
            guard line.hasPrefix("message "), let brace = line.firstIndex(of: "{") else { return nil }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line[brace...].utf8)) as? [String: Any]
            else { throw TestSupportError("malformed catcher line: \(line)") }
            return Message(
                envelopeFrom: object["envelope_from"] as? String ?? "",
                envelopeTo: object["envelope_to"] as? [String] ?? [],
                headers: object["headers"] as? [String: String] ?? [:],
                rawHeaders: object["raw_headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "",
                login: object["login"] as? String, password: object["password"] as? String)
        }
    }

    public func stop() { process.stop() }
}
