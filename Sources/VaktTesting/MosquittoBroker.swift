import Foundation

/// A real mosquitto broker for a test, on a free loopback port.
///
/// The generated config allows anonymous clients, lifts the offline queue limit
/// (`max_queued_messages 0`: the default of 1,000 silently drops QoS 1 messages queued for an
/// offline client) and, when a persistence directory is given, saves sessions and retained
/// messages there so they outlive `restart()`. Start-up waits for the broker's own log line
/// saying it runs; it never sleeps.
public final class MosquittoBroker: @unchecked Sendable {
    public let port: Int
    public let persistenceDirectory: String?
    /// TLS and logins, when the broker was started with them.
    public let security: BrokerSecurity?
    private let configDirectory: TemporaryDirectory
    private let lock = NSLock()
    private var process: ChildProcess?

    /// The URL clients connect to.
    public var url: String { "\(security == nil ? "mqtt" : "mqtts")://127.0.0.1:\(port)" }

    /// Starts a broker; tries a few free ports in case another process takes one first.
    ///
    /// - Parameter persistenceDirectory: Where the broker saves its state, or nil for none.
    /// - Parameter security: TLS and logins (no anonymous clients), or nil for a plain broker.
    public init(persistenceDirectory: String? = nil, security: BrokerSecurity? = nil) throws {
        self.persistenceDirectory = persistenceDirectory
        self.security = security
        configDirectory = try TemporaryDirectory(prefix: "vakt-mosquitto")
        var lastError: Error?
        for _ in 0..<3 {
            let port = try freeTCPPort()
            do {
                process = try Self.start(
                    port: port, persistence: persistenceDirectory, security: security, in: configDirectory)
                self.port = port
                return
            } catch {
                lastError = error
            }
        }
        configDirectory.remove()
        throw lastError ?? TestSupportError("mosquitto did not start")
    }

    private static func start(
        port: Int, persistence: String?, security: BrokerSecurity?, in directory: TemporaryDirectory
    ) throws -> ChildProcess {
        var lines = ["listener \(port) 127.0.0.1"]
        if let security {
            lines += [
                "cafile \(security.caFile)", "certfile \(security.certFile)", "keyfile \(security.keyFile)",
                "allow_anonymous false", "password_file \(security.passwordFile)",
            ]
        } else {
            lines.append("allow_anonymous true")
        }
        lines += [
            "max_queued_messages 0",
            "set_tcp_nodelay true",
            "log_dest stderr",  // stdout is block-buffered into a pipe
            "log_type all",
        ]
        if let persistence {
            let location = persistence.hasSuffix("/") ? persistence : persistence + "/"
            lines += ["persistence true", "persistence_location \(location)", "autosave_interval 1"]
        }
        // As root mosquitto switches to user `mosquitto`, which cannot write a root-owned dir.
        if geteuid() == 0 { lines.append("user root") }
        let config = directory.appending("mosquitto.conf")
        try (lines.joined(separator: "\n") + "\n").write(to: config, atomically: true, encoding: .utf8)
        let process = try ChildProcess("/usr/sbin/mosquitto", ["-c", config.path])
        do {
            try process.waitForLine(containing: " running", timeout: 15)
        } catch {
            process.kill()
            throw error
        }
        return process
    }

    /// The broker's log so far, one line per element (for failure messages).
    public var log: [String] { lock.withLock { process?.output ?? [] } }

    /// Waits until the broker's log has a line containing `text`.
    @discardableResult
    public func waitForLog(containing text: String, timeout: TimeInterval = 30) throws -> String {
        guard let process = lock.withLock({ process }) else { throw TestSupportError("broker is stopped") }
        return try process.waitForLine(containing: text, timeout: timeout)
    }

    /// Sends SIGTERM and waits; the broker saves its persistence file on the way out.
    /// Idempotent.
    public func stop() {
        let running = lock.withLock {
            defer { process = nil }
            return process
        }
        running?.stop()
    }

    /// Stops the broker and starts it again on the same port, with the same persistence.
    public func restart() throws {
        stop()
        try start()
    }

    /// Starts a stopped broker again on the same port, with the same persistence.
    public func start() throws {
        guard lock.withLock({ process == nil }) else { throw TestSupportError("the broker is running") }
        let started = try Self.start(
            port: port, persistence: persistenceDirectory, security: security, in: configDirectory)
        lock.withLock { process = started }
    }

    deinit {
        stop()
        configDirectory.remove()
    }
}
