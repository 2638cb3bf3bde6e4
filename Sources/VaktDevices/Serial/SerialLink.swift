import Foundation
import VaktCore

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps one serial device connected: opens its port, reads it on a thread of its own, hands every
/// chunk to the caller's decoder, writes back the acknowledgements the decoder returns, and reopens
/// the port after the device is unplugged and plugged in again.
///
/// The decoder runs synchronously on the link's thread, and its acknowledgement is written before
/// anything more is read, as with MQTT's PUBACK: a decoder that commits a frame before returning
/// its ACK never lets the device forget a frame that is not on disk. Every chunk read goes to
/// `onBytes`, even one read just as `stop()` is called. Keep `onBytes` short: while it runs, the
/// device's bytes wait in the kernel's buffer (a few tens of KB), and beyond that they are lost.
///
/// `onState` hears `.connected` after each successful open and `.disconnected(reason:)` after a
/// failed open, a hang-up, an I/O error, a failed write or the node's removal; each state only
/// when it differs from the last one reported, so a device that stays unplugged is reported once,
/// not at every retry, and a new reason (the node reappears without permissions) is reported when
/// it comes. Both callbacks run on the link's thread, one at a time, in order. `stop()` reports
/// nothing: the link is not offline, it is off.
///
/// After a loss the port is closed and opening is retried every `reopenDelay` seconds. The thread
/// sleeps in `poll()`: idle, it wakes once a second to check that the node is still there, and
/// `stop()` wakes it at once through a self-pipe.
///
/// `@unchecked Sendable`: the mutable state is guarded by `condition`, and the port is touched
/// only by the link's thread. While started, the thread holds a strong reference to the link;
/// call `stop()` before letting go of it.
public final class SerialLink: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        case connected
        case disconnected(reason: String)
    }

    public let path: String
    public let settings: SerialSettings
    public let reopenDelay: Double
    private let onState: @Sendable (State) -> Void
    private let onBytes: @Sendable ([UInt8]) -> [UInt8]?
    /// The self-pipe `stop()` writes to; nil if no pipe could be made, and then the thread polls
    /// in slices of `fallbackSlice` seconds instead.
    private let wakeReader: Int32?
    private let wakeWriter: Int32?
    private static let fallbackSlice = 0.1
    /// How often an idle connected link checks that its node still exists.
    static let presenceCheckInterval = 1.0
    /// How long a write of an acknowledgement may make no progress before the link gives up.
    static let writeTimeout = 5.0

    /// Guards everything below and signals the thread's exit.
    private let condition = NSCondition()
    private var running = false
    private var stopRequested = false
    private var loopThread: pthread_t?
    private var lastState: State?
    private var iterations = 0

    /// Creates a link; nothing is opened until `start()`.
    ///
    /// - Parameters:
    ///   - path: The device node, best a stable `/dev/serial/by-id/...` symlink, which survives
    ///     the adapter coming back as another `ttyUSB` number.
    ///   - settings: Baud rate and framing from the device profile.
    ///   - reopenDelay: Seconds between attempts to open the port while it cannot be opened
    ///     (at least 0.01).
    ///   - onState: Told of every change of the link's state.
    ///   - onBytes: Given every chunk read, in order; its non-nil result is written to the device
    ///     before more is read.
    public init(
        path: String, settings: SerialSettings, reopenDelay: Double = 1.0,
        onState: @escaping @Sendable (SerialLink.State) -> Void,
        onBytes: @escaping @Sendable ([UInt8]) -> [UInt8]?
    ) {
        self.path = path
        self.settings = settings
        // A floor, so that a zero delay cannot turn a missing device into a busy loop of open()s.
        self.reopenDelay = max(0.01, reopenDelay)
        self.onState = onState
        self.onBytes = onBytes
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            wakeReader = ends[0]
            wakeWriter = ends[1]
        } else {
            wakeReader = nil
            wakeWriter = nil
        }
    }

    deinit {
        if let wakeReader { close(wakeReader) }
        if let wakeWriter { close(wakeWriter) }
    }

    /// The last state reported; nil before the first report after `start()`.
    public var state: State? { condition.withLock { lastState } }

    /// Whether the link's thread is running.
    public var isRunning: Bool { condition.withLock { running } }

    /// How many times the thread has gone round its loop (opens, reads, waits): tests use it to
    /// prove an idle link sleeps.
    var loopIterations: Int { condition.withLock { iterations } }

    /// Starts the link's thread, which opens the port at once. Does nothing while running.
    public func start() {
        condition.withLock {
            guard !running else { return }
            running = true
            stopRequested = false
            lastState = nil
            drainWakePipe()
            let thread = Thread { [self] in run() }
            thread.name = "vakt-serial"
            thread.start()
        }
    }

    /// Stops the link's thread and closes the port; returns once the thread has exited.
    ///
    /// The thread wakes at once, whether it is waiting for bytes or for the next attempt to open.
    /// A chunk already read still goes to `onBytes` first, and a pending acknowledgement write is
    /// abandoned. Idempotent, and safe from several threads. Called from `onBytes` or `onState`
    /// (on the link's own thread, which cannot wait for itself), it asks the thread to stop and
    /// returns at once; the thread exits when the callback returns.
    public func stop() {
        condition.lock()
        defer { condition.unlock() }
        guard running else { return }
        stopRequested = true
        if let wakeWriter {
            var byte: UInt8 = 1
            _ = write(wakeWriter, &byte, 1)
        }
        if let loopThread, pthread_equal(loopThread, pthread_self()) != 0 { return }
        while running { condition.wait() }
    }

    private func drainWakePipe() {
        guard let wakeReader else { return }
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeReader, &sink, sink.count) > 0 {}
    }

    private var shouldStop: Bool {
        condition.withLock {
            iterations += 1
            return stopRequested
        }
    }

    private func run() {
        condition.withLock { loopThread = pthread_self() }
        var port: SerialPort?
        defer {
            port?.close()
            condition.withLock {
                running = false
                loopThread = nil
                condition.broadcast()
            }
        }
        while !shouldStop {
            guard let open = port else {
                do {
                    port = try SerialPort(path: path, settings: settings)
                    report(.connected)
                } catch {
                    report(.disconnected(reason: error.description))
                    pause(reopenDelay)
                }
                continue
            }
            // Without a self-pipe, short reads are what lets a stop be seen promptly.
            let timeout = wakeReader == nil ? Self.fallbackSlice : Self.presenceCheckInterval
            switch open.read(timeout: timeout, wake: wakeReader) {
            case .bytes(let chunk):
                guard let reply = onBytes(chunk), !reply.isEmpty else { continue }
                do {
                    _ = try open.write(reply, timeout: Self.writeTimeout, wake: wakeReader)
                } catch {
                    port = nil
                    lose(open, reason: error.description)
                }
            case .timeout:
                if !open.isStillAtPath {
                    port = nil
                    lose(open, reason: "\(path) was removed: the device was unplugged")
                }
            case .closed(let reason):
                port = nil
                lose(open, reason: reason)
            }
        }
    }

    private func lose(_ port: SerialPort, reason: String) {
        port.close()
        report(.disconnected(reason: reason))
        pause(reopenDelay)
    }

    /// Sleeps `seconds`, or less when `stop()` is called.
    private func pause(_ seconds: Double) {
        let deadline = SerialPort.monotonicSeconds() + seconds
        while !condition.withLock({ stopRequested }) {
            let now = SerialPort.monotonicSeconds()
            guard now < deadline else { return }
            let until = wakeReader == nil ? min(deadline, now + Self.fallbackSlice) : deadline
            _ = SerialPort.wait(for: 0, on: -1, until: until, wake: wakeReader)
        }
    }

    /// Reports `state` unless it is the one reported last.
    private func report(_ state: State) {
        let changed = condition.withLock {
            guard lastState != state else { return false }
            lastState = state
            return true
        }
        if changed { onState(state) }
    }
}
