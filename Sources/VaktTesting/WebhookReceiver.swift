import Foundation

/// A real HTTP peer for webhook tests: `scripts/webhook-receiver` on a free loopback port.
///
/// The receiver binds port 0 and prints the port it got, so there is no race for a port.
/// Waiting for requests waits on its output lines; nothing sleeps.
public final class WebhookReceiver: @unchecked Sendable {
    /// One request as the receiver saw it.
    public struct Request: Sendable {
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        /// The body exactly as sent.
        public var body: Data
        /// The port the request came from: requests on one connection share it.
        public var peerPort: Int?
    }

    public let process: ChildProcess
    /// The port it listens on.
    public let port: Int
    /// An endpoint URL on it (any path is accepted).
    public var url: String { "http://127.0.0.1:\(port)/vakt" }

    /// Starts the receiver and waits until it listens.
    ///
    /// - Parameter arguments: Further options, e.g. `["--fail-first", "2", "--status", "503"]`
    ///   or `["--delay", "5"]`.
    /// - Throws: `TestSupportError` when it does not start.
    public init(arguments: [String] = []) throws {
        let script = RepositoryPaths.root.appendingPathComponent("scripts/webhook-receiver").path
        // The system interpreter directly: a shim (pyenv) between us and Python may not pass
        // SIGTERM on. The script needs only the standard library.
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let options = ["--port", "0"] + arguments
        process = try python.map { try ChildProcess($0, [script] + options) } ?? ChildProcess(script, options)
        do {
            let line = try process.waitForLine(containing: "listening on http://")
            guard let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) else {
                throw TestSupportError("webhook-receiver printed no port: \(line)")
            }
            self.port = port
        } catch {
            process.kill()
            throw error
        }
    }

    /// Waits until at least `count` requests have arrived; returns the JSON bodies of all of
    /// them so far, in arrival order.
    ///
    /// - Throws: `TestSupportError` on timeout, or when a body is not a JSON object.
    public func waitForRequests(count: Int, timeout: TimeInterval = 30) throws -> [[String: Any]] {
        try waitForRawRequests(count: count, timeout: timeout).map { request in
            guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
                throw TestSupportError(
                    "request body is not a JSON object: \(String(decoding: request.body, as: UTF8.self))")
            }
            return object
        }
    }

    /// Waits until at least `count` requests have arrived; returns all of them so far, with
    /// their headers and exact bodies, in arrival order.
    ///
    /// - Throws: `TestSupportError` on timeout, or when the receiver's output is malformed.
    public func waitForRawRequests(count: Int, timeout: TimeInterval = 30) throws -> [Request] {
        if count > 0 { try process.waitForLine(containing: "request \(count) {", timeout: timeout) }
        return try process.output.compactMap { line -> Request? in
            guard line.hasPrefix("request "), let brace = line.firstIndex(of: "{") else { return nil }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line[brace...].utf8)) as? [String: Any],
                let body = object["body"] as? String, let headers = object["headers"] as? [String: String]
            else { throw TestSupportError("malformed receiver line: \(line)") }
            return Request(
                path: object["path"] as? String ?? "", headers: headers, body: Data(body.utf8),
                peerPort: object["peer_port"] as? Int)
        }
    }

    /// Stops the receiver (SIGTERM) and waits for it to exit.
    public func stop() { process.stop() }
}
