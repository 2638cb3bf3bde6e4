import VaktCore

#if canImport(Glibc)
    import Glibc
#endif

/// One open serial port: a tty in raw mode with the device profile's settings, held exclusively.
///
/// The descriptor is non-blocking and every wait happens in `poll()`, so a read or a write can
/// time out, and `SerialLink` can wake it to stop. Use a port from one thread at a time; `close()`
/// is idempotent and `deinit` closes.
///
/// Two locks keep a second program off the port. `flock` stops another hub, even one running as
/// root. `TIOCEXCL` makes the kernel refuse any further `open()` with `EBUSY`, which also stops
/// terminal programs and modem probers that never `flock`; root bypasses it.
public final class SerialPort {
    public let path: String
    public let settings: SerialSettings
    /// -1 once closed.
    private(set) var descriptor: Int32
    /// Whether this port set `TIOCEXCL`, and so must clear it on close: the flag belongs to the
    /// tty, not to the descriptor, and outlives it while anyone else (a pty's simulator) holds the
    /// tty open, which would lock the hub itself out of its next open.
    private var exclusive = false

    /// What one `read(timeout:)` got.
    public enum ReadResult: Sendable, Equatable {
        /// At least one byte, in the order received.
        case bytes([UInt8])
        /// Nothing arrived in time (or the wait was woken).
        case timeout
        /// The device is gone (hang-up, `EIO`) or the port was closed; `reason` is for the operator.
        case closed(reason: String)
    }

    /// Opens `path` read-write, takes both locks, applies `settings` in raw mode and discards
    /// whatever the device sent before anyone listened (half a frame from before the hub started).
    ///
    /// - Throws: `SerialError` for settings that cannot work (checked first, before the device
    ///   is touched), a missing node, a permission problem, a non-tty, a port in use, or a
    ///   device that refuses the baud rate. Nothing stays open after a throw.
    public init(path: String, settings: SerialSettings) throws(SerialError) {
        try settings.validate()
        var opened: Int32
        repeat {
            opened = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        } while opened < 0 && errno == EINTR
        guard opened >= 0 else { throw SerialError.opening(path, errno: errno) }
        self.path = path
        self.settings = settings
        self.descriptor = opened
        do {
            try configure()
        } catch {
            close()
            throw error
        }
    }

    private func configure() throws(SerialError) {
        guard isatty(descriptor) == 1 else { throw SerialError.notATerminal(path: path) }
        // The lock comes before any change, so a second hub leaves the first one's line alone.
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            if code == EWOULDBLOCK { throw SerialError.busy(path: path) }
            throw SerialError.io(operation: "flock", path: path, errno: code)
        }
        guard ioctl(descriptor, UInt(TIOCEXCL)) == 0 else { throw failure("ioctl(TIOCEXCL)") }
        exclusive = true
        var attributes = termios()
        guard tcgetattr(descriptor, &attributes) == 0 else { throw failure("tcgetattr") }
        try settings.apply(to: &attributes)
        guard tcsetattr(descriptor, TCSANOW, &attributes) == 0 else {
            if errno == EINVAL { throw SerialError.unsupportedBaud(settings.baud) }
            throw failure("tcsetattr")
        }
        // tcsetattr succeeds when any one change took: read the speed back, since a driver that
        // cannot do a rate keeps another one. Data bits and parity are not compared: the pty
        // driver, which stands in for devices in tests and the simulator, always reports 8N.
        var applied = termios()
        guard tcgetattr(descriptor, &applied) == 0 else { throw failure("tcgetattr") }
        guard cfgetospeed(&applied) == cfgetospeed(&attributes) else {
            throw SerialError.unsupportedBaud(settings.baud)
        }
        guard tcflush(descriptor, TCIFLUSH) == 0 else { throw failure("tcflush") }
    }

    private func failure(_ operation: String) -> SerialError {
        .io(operation: operation, path: path, errno: errno)
    }

    deinit { close() }

    /// Whether the port is still open (not closed by `close()`; a hung-up port is still open).
    public var isOpen: Bool { descriptor >= 0 }

    /// Closes the port, releasing both locks. Idempotent.
    public func close() {
        guard descriptor >= 0 else { return }
        if exclusive { _ = ioctl(descriptor, UInt(TIOCNXCL)) }
        _ = Glibc.close(descriptor)
        descriptor = -1
        exclusive = false
    }

    /// Waits up to `timeout` seconds for bytes and returns what one `read()` got (at most 4 KB).
    ///
    /// A hung-up tty (USB adapter unplugged, pty master closed) polls `POLLHUP`/`POLLERR` and
    /// reads 0 or fails with `EIO`: that is `.closed`, and so is any other read error. Bytes still
    /// buffered when the hang-up comes are returned first, as long as the kernel still has them.
    public func read(timeout: Double) -> ReadResult {
        read(timeout: timeout, wake: nil)
    }

    /// `read(timeout:)` that also returns `.timeout` as soon as `wake` becomes readable.
    func read(timeout: Double, wake: Int32?) -> ReadResult {
        guard descriptor >= 0 else { return .closed(reason: "\(path) was closed") }
        let deadline = Self.monotonicSeconds() + max(0, timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let events: Int16
            switch Self.wait(for: Int16(POLLIN), on: descriptor, until: deadline, wake: wake) {
            case .timedOut, .woken: return .timeout
            case .failed(let code):
                return .closed(reason: SerialError.io(operation: "poll", path: path, errno: code).description)
            case .ready(let revents): events = revents
            }
            if events & Int16(POLLNVAL) != 0 { return .closed(reason: "\(path) was closed") }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 { return .bytes(Array(buffer[..<count])) }
            let code = errno
            let hungUp = events & Int16(POLLHUP | POLLERR) != 0
            // With VMIN = 0 an empty read is also "nothing yet"; only the poll flags tell a hang-up.
            if count == 0 || code == EAGAIN || code == EWOULDBLOCK || code == EINTR {
                if hungUp { return .closed(reason: "\(path) hung up: the device was unplugged or switched off") }
                continue
            }
            if code == EIO || code == ENXIO || code == ENODEV {
                let cause = String(cString: strerror(code))
                return .closed(reason: "\(path) stopped working (\(cause)): the device was unplugged or switched off")
            }
            return .closed(reason: SerialError.io(operation: "read", path: path, errno: code).description)
        }
    }

    /// Writes all of `bytes`, waiting in `poll()` while the kernel's output buffer is full.
    ///
    /// There is no flow control, so the buffer drains at the line's speed; `timeout` is for an
    /// adapter that has stalled.
    /// - Throws: `SerialError.writeTimedOut` when nothing more could be written for `timeout`
    ///   seconds; `.io` for a failed `write()` (`EIO` once the device is gone).
    public func write(_ bytes: [UInt8], timeout: Double = 5) throws(SerialError) {
        _ = try write(bytes, timeout: timeout, wake: nil)
    }

    /// `write(_:timeout:)` that gives up, returning false, as soon as `wake` becomes readable.
    func write(_ bytes: [UInt8], timeout: Double, wake: Int32?) throws(SerialError) -> Bool {
        try Self.writeAll(bytes, to: descriptor, path: path, timeout: timeout, wake: wake)
    }

    /// Writes all of `bytes` to a non-blocking descriptor, waiting while the kernel's buffer is
    /// full; the timeout counts from the last progress. Returns false when `wake` became
    /// readable first. Shared by the port and the pseudo-terminal that stands in for a device.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String, timeout: Double, wake: Int32?)
        throws(SerialError) -> Bool
    {
        guard descriptor >= 0 else { throw SerialError.io(operation: "write", path: path, errno: EBADF) }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { all in
                Glibc.write(descriptor, all.baseAddress.map { $0 + offset }, all.count - offset)
            }
            if count > 0 {
                offset += count
                continue
            }
            let code = errno
            guard count == 0 || code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                throw SerialError.io(operation: "write", path: path, errno: code)
            }
            if count < 0 && code == EINTR { continue }
            // The timeout counts from the last progress: a slow line is fine, a stuck one is not.
            let deadline = Self.monotonicSeconds() + max(0, timeout)
            switch Self.wait(for: Int16(POLLOUT), on: descriptor, until: deadline, wake: wake) {
            case .ready: continue  // a hang-up is ready too: the next write() fails with EIO
            case .woken: return false
            case .timedOut: throw SerialError.writeTimedOut(path: path, seconds: timeout)
            case .failed(let code): throw SerialError.io(operation: "poll", path: path, errno: code)
            }
        }
        return true
    }

    /// Whether `path` still leads to the device this port has open.
    ///
    /// False once the node (or the udev symlink) is gone or leads to another device: then the
    /// hardware behind this descriptor is not the configured one any more, even if the driver
    /// did not hang the tty up.
    var isStillAtPath: Bool {
        guard descriptor >= 0 else { return false }
        var opened = stat()
        var current = stat()
        guard fstat(descriptor, &opened) == 0 else { return false }
        guard stat(path, &current) == 0 else { return errno != ENOENT && errno != ENOTDIR }
        return opened.st_rdev == current.st_rdev
    }
}

extension SerialPort {
    /// What `wait(for:on:until:wake:)` saw.
    enum Readiness: Equatable {
        /// The descriptor's `revents`.
        case ready(Int16)
        case timedOut
        /// The wake descriptor became readable first.
        case woken
        /// `poll()` failed with this errno.
        case failed(Int32)
    }

    /// Waits in `poll()` until `descriptor` has one of `events` (or a hang-up or error), `wake`
    /// becomes readable, or `deadline` (in `monotonicSeconds()`; nil for none) passes.
    ///
    /// A negative `descriptor` is ignored by `poll()`, which makes this an interruptible sleep.
    /// Interrupted calls (`EINTR`) wait again for the rest of the time.
    static func wait(for events: Int16, on descriptor: Int32, until deadline: Double?, wake: Int32?) -> Readiness {
        var fds = [
            pollfd(fd: descriptor, events: events, revents: 0),
            pollfd(fd: wake ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            var milliseconds: Int32 = -1
            if let deadline {
                let remaining = (deadline - Self.monotonicSeconds()) * 1000
                // Rounded up: a wait of 0.4 ms must not become a busy loop of zero-length polls.
                milliseconds = remaining <= 0 ? 0 : Int32(min(remaining.rounded(.up), Double(Int32.max)))
            }
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if fds[1].revents != 0 { return .woken }
            if fds[0].revents != 0 { return .ready(fds[0].revents) }
            if ready == 0 { return .timedOut }
        }
    }

    /// Seconds on the monotonic clock, for deadlines that wall-clock changes cannot move.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
