import Foundation
import Logging
import ServiceLifecycle

/// Tells systemd how the hub is doing, over the socket a `Type=notify` unit passes in
/// `NOTIFY_SOCKET` (the sd_notify protocol: one datagram of `KEY=VALUE` lines), without
/// linking libsystemd. Outside systemd, `NOTIFY_SOCKET` is unset and nothing is sent.
public struct SystemdNotifier: Sendable {
    /// The socket's path; a leading `@` names an abstract socket.
    public let socketPath: String?
    /// How often systemd wants to hear `WATCHDOG=1`, in seconds (`WATCHDOG_USEC`), when the
    /// watchdog is on and meant for this process (`WATCHDOG_PID`, if set, is ours).
    public let watchdogInterval: Double?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let forUs = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        watchdogInterval = environment["WATCHDOG_USEC"].flatMap(Double.init).flatMap {
            forUs && $0 > 0 ? $0 / 1_000_000 : nil
        }
    }

    /// Sends one notification (`READY=1`, `STATUS=...`, `WATCHDOG=1`, `STOPPING=1`);
    /// returns whether it was sent. Never throws: systemd not listening must not stop the hub.
    @discardableResult
    public func send(_ message: String) -> Bool {
        guard let socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.enumerated() { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
            }
        }
        return sent == bytes.count
    }
}

/// Pets systemd's watchdog while the hub can still do its work, and says `STOPPING=1` when
/// a graceful shutdown begins.
///
/// Each beat takes the hub's lock and reads the store: a hub stuck on its lock or its
/// database stops beating, and systemd restarts it (`WatchdogSec=` in the unit). Beats come
/// at half the interval systemd asked for. Real time, not the hub's clock: the watchdog is
/// about this process being alive.
public struct WatchdogService: Service {
    let hub: Hub
    let notifier: SystemdNotifier

    public init(hub: Hub, notifier: SystemdNotifier) {
        self.hub = hub
        self.notifier = notifier
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await cancelWhenGracefulShutdown {
                guard let interval = notifier.watchdogInterval else {
                    // No watchdog: only wait, to say STOPPING=1 when shutdown begins.
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                    return
                }
                while !Task.isCancelled {
                    if hub.isResponsive() { notifier.send("WATCHDOG=1") }
                    try? await Task.sleep(for: .seconds(interval / 2))
                }
            }
        } onGracefulShutdown: {
            notifier.send("STOPPING=1")
        }
    }
}

extension Hub {
    /// Whether the hub is doing its work: it can take its lock and read its store, and no
    /// escalation timer is more than ``Hub/stuckAfter`` past due (the timer service fires
    /// due timers at once, so one left that long means timers are not being fired), unless
    /// the store refuses writes (a full disk), which a restart would not mend.
    public func isResponsive() -> Bool {
        withLock {
            // A step of the wall clock would make every timer look overdue, or none.
            noticeClockStep()
            // A store that refuses writes (a full disk) leaves timers unfired, but a restart
            // would not mend it: it would only stop the hub, and systemd gives up on a unit
            // that fails to start again and again. It is logged loudly meanwhile.
            if storeRefusingSince != nil { return true }
            do {
                let now = clock.now()
                if let oldest = try store.readablePendingTimers().timers.first, oldest.due < now - Self.stuckAfter {
                    logger.error(
                        "timer \(oldest.id) is \(Int(now.timeIntervalSince(oldest.due))) s past due; the watchdog is not fed"
                    )
                    return false
                }
                return true
            } catch {
                logger.error("the store cannot be read (\(error)); the watchdog is not fed")
                return false
            }
        }
    }

    /// How long past due a timer may be before the hub counts as stuck.
    static let stuckAfter: TimeInterval = 60
}
