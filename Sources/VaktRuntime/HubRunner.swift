import Foundation
import Logging
import ServiceLifecycle
import VaktConfig
import VaktCore
import VaktDevices
import VaktNotify
import VaktStore

/// What `vakt run` was asked for.
public struct HubOptions: Sendable {
    public var configDirectory: String
    public var brokerURL: String?
    public var dataDirectory: String?
    /// Accept a broker off this box without TLS or without a login.
    public var allowInsecureBroker: Bool

    public init(
        configDirectory: String, brokerURL: String? = nil, dataDirectory: String? = nil,
        allowInsecureBroker: Bool = false
    ) {
        self.configDirectory = configDirectory
        self.brokerURL = brokerURL
        self.dataDirectory = dataDirectory
        self.allowInsecureBroker = allowInsecureBroker
    }
}

/// A failure to start, with the process exit code it maps to (docs/architecture.md's contract).
public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    public var exitCode: Int32

    public init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
}

/// Builds the hub from a config directory and runs it until SIGTERM or SIGINT.
public enum HubRunner {
    /// Loads and validates the site, or throws a `StartupError` listing every problem.
    public static func loadSite(_ directory: String) throws -> Site {
        do {
            return try SiteLoader.load(directory: directory)
        } catch {
            throw StartupError(
                "\(error)\nconfiguration in \(directory) is invalid; run `vakt check --config \(directory)`")
        }
    }

    /// The data directory: `--data`, else the config's `data:`.
    public static func dataDirectory(site: Site, options: HubOptions) -> String {
        options.dataDirectory ?? site.dataDirectory
            ?? (options.configDirectory as NSString).appendingPathComponent("data")
    }

    /// Runs the hub in the foreground. Returns when a signal has shut it down in order:
    /// first the broker connection (no new input), then the dispatcher, then timers.
    public static func run(
        _ options: HubOptions, version: String, logger: Logger, clock: any HubClock = SystemClock()
    ) async throws {
        let site = try loadSite(options.configDirectory)
        let dataDirectory = dataDirectory(site: site, options: options)
        // The broker is checked before anything is opened or written.
        let brokerURL = options.brokerURL ?? site.broker.url
        let address: BrokerAddress
        do {
            address = try BrokerAddress.parse(brokerURL)
        } catch {
            throw StartupError("broker URL \(brokerURL): \(error)", exitCode: 2)
        }
        if !options.allowInsecureBroker,
            let problem = insecurity(
                of: address, username: site.broker.username, passwordFile: site.broker.passwordFile)
        {
            throw StartupError(
                "the broker \(address.description) is not on this box and the connection is \(problem): alarms and staff commands would cross the network unprotected; use mqtts:// with a username and password_file (docs/operations.md, \"The broker\"), or pass --allow-insecure-broker",
                exitCode: 2)
        }
        let lock = try HubLock.acquire(dataDirectory: dataDirectory)
        defer { withExtendedLifetime(lock) {} }
        let store: Store
        do {
            store = try Store(directory: dataDirectory)
        } catch {
            throw StartupError("cannot open the store in \(dataDirectory): \(error)")
        }
        do {
            try store.recordSite(site)
        } catch {
            throw StartupError("cannot write to the store in \(dataDirectory): \(error)")
        }
        let hub = try Hub(site: site, store: store, clock: clock, logger: logger)
        warnIfReadableByOthers(dataDirectory, logger: logger)

        let secrets = SecretResolver()
        var notifiers: [String: any Notifier] = [:]
        for channel in site.channels {
            do {
                notifiers[channel.id] = try NotifierFactory.make(channel: channel, secrets: secrets)
            } catch {
                throw StartupError("channel \(channel.id): \(error)")
            }
        }

        let password = try site.broker.passwordFile.map { file in
            do {
                return try secrets.resolve("file:\(file)")
            } catch {
                throw StartupError("broker password: \(error)")
            }
        }
        do {
            try prepareTransfers()
        } catch {
            logger.critical("libcurl could not be set up: \(error); notifications over HTTP and SMTP will fail")
        }
        let mqtt = try MQTTService(hub: hub, address: address, password: password)
        let serial = try SerialService.services(for: hub)

        logger.notice(
            "starting hub for \(site.name)",
            metadata: [
                "site": "\(site.id)", "data": "\(store.path)", "broker": "\(address.description)",
                "open_alarms": "\(hub.openAlarms.count)", "serial_ports": "\(serial.map(\.port))",
            ])
        let systemd = SystemdNotifier()
        if let interval = systemd.watchdogInterval {
            logger.notice("systemd watchdog: a beat every \(interval / 2) s")
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: TimerService(hub: hub)),
                    .init(service: SupervisionService(hub: hub)),
                    .init(service: Dispatcher(hub: hub, notifiers: notifiers)),
                    .init(service: RecordKeeperService(hub: hub)),
                    .init(service: WatchdogService(hub: hub, notifier: systemd)),
                    .init(service: mqtt),
                ] + serial.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try audit(hub, .hubStarted, detail: ["version": version, "open_alarms": "\(hub.openAlarms.count)"])
        // Before any timer is judged due: a clock stepped while the hub was down moves them.
        try hub.noticeClockStepWhileStopped()
        try audit(
            hub, .configLoaded,
            detail: [
                "config_sha256": ConfigDigest.sha256(
                    configDirectory: options.configDirectory, profilesDirectory: site.profilesDirectory),
                "devices": "\(site.devices.count)", "rules": "\(site.rules.count)",
            ])
        systemd.send(
            "READY=1\nSTATUS=watching \(site.devices.count) devices, \(hub.openAlarms.count) open alarms; broker \(address.description)"
        )
        try await group.run()
        // A `hub.started` without a `hub.stopped` before it marks a crash or power cut.
        try audit(hub, .hubStopped, detail: ["open_alarms": "\(hub.openAlarms.count)"])
        do {
            try hub.writeClockReference()
        } catch {
            logger.error("cannot write the clock reference at shutdown: \(error)")
        }
        do {
            try hub.writeCheckpoint()
        } catch {
            logger.error("cannot write the audit checkpoint at shutdown: \(error)")
        }
        logger.notice("hub stopped")
    }

    /// What is wrong with a broker connection that leaves the box: plaintext, anonymous, or
    /// both; `nil` for a Unix socket, a loopback address, or TLS with a login.
    public static func insecurity(of address: BrokerAddress, username: String?, passwordFile: String?) -> String? {
        if address.isUnixSocket || isLoopback(address.host) { return nil }
        var problems: [String] = []
        if !address.tls { problems.append("plaintext") }
        if username?.isEmpty ?? true || passwordFile == nil { problems.append("anonymous") }
        return problems.isEmpty ? nil : problems.joined(separator: " and ")
    }

    /// `localhost`, or an IPv4 address in 127.0.0.0/8, or `::1`: parsed as addresses, so a
    /// host named `127.example.org` is not taken for one.
    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }

    /// The data directory holds residents' health data: say so when any user on the box can
    /// read it, with the fix.
    private static func warnIfReadableByOthers(_ directory: String, logger: Logger) {
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & 0o007 != 0 else { return }
        logger.warning(
            "the data directory \(directory) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run: chmod 750 \(directory)"
        )
    }

    /// Writes a hub lifecycle entry to the audit, so the record shows when the hub was up.
    private static func audit(_ hub: Hub, _ action: AuditAction, detail: [String: String]) throws {
        do {
            try hub.record(action, detail: detail)
        } catch {
            throw StartupError("cannot write \(action) to the audit in \(hub.store.path): \(error)")
        }
    }
}
