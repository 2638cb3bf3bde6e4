import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A pseudo-terminal standing in for a serial device, for the simulator and for tests.
///
/// The hub opens `devicePath` (the slave, `/dev/pts/N`) as it would a USB adapter; what is written
/// here comes out of the hub's port, and `read(timeout:)` returns what the hub wrote back, such as
/// acknowledgements. `close()` is the unplug: the kernel hangs the hub's descriptor up and removes
/// `/dev/pts/N`, as it does for a USB adapter's node.
///
/// The pseudo-terminal keeps a descriptor of its own slave open for its whole life. Without one,
/// the master reads `EIO` and polls `POLLHUP` whenever the hub has the port closed (before it
/// opens, while it reopens). So before the hub opens the port, `write(_:)` is buffered by the
/// kernel, up to some 18 KB on current kernels, after which it waits for room and finally throws;
/// and the hub discards those bytes when it opens the port (`tcflush`), as it would a real
/// device's stale bytes. Wait for the link's `.connected` before writing what must arrive.
///
/// Both ends start in raw mode (no echo, no CR/NL translation). The pty driver keeps the speed and
/// stop bits the hub sets, but always reports 8 data bits without parity.
///
/// `@unchecked Sendable`: the descriptors and link paths are guarded by `lock`.
public final class PseudoTerminal: @unchecked Sendable {
    /// The slave's path, `/dev/pts/N`.
    public let devicePath: String
    private let lock = NSLock()
    private var master: Int32
    private var slave: Int32
    private var links: [String] = []

    /// Opens a new pseudo-terminal pair.
    ///
    /// - Throws: `SerialError.io` when no pseudo-terminal can be had (`/dev/pts` not mounted, or
    ///   the system's limit reached).
    public init() throws(SerialError) {
        var master: Int32 = -1
        var slave: Int32 = -1
        var raw = termios()
        cfmakeraw(&raw)
        guard openpty(&master, &slave, nil, &raw, nil) == 0 else {
            throw SerialError.io(operation: "openpty", path: "/dev/ptmx", errno: errno)
        }
        // openpty() cannot open with O_CLOEXEC; until these run, a child started by another thread
        // at this instant would inherit the master and keep the "device" plugged in after close().
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        var masterAttributes = termios()
        if tcgetattr(master, &masterAttributes) == 0 {
            cfmakeraw(&masterAttributes)
            _ = tcsetattr(master, TCSANOW, &masterAttributes)
        }
        var name = [CChar](repeating: 0, count: 128)
        guard ttyname_r(slave, &name, name.count) == 0 else {
            let code = errno
            Glibc.close(master)
            Glibc.close(slave)
            throw SerialError.io(operation: "ttyname_r", path: "/dev/ptmx", errno: code)
        }
        self.master = master
        self.slave = slave
        devicePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { close() }

    /// Makes `path` a symlink to `devicePath`, replacing whatever is there, as udev makes
    /// `/dev/serial/by-id/...` for an adapter; `close()` removes it again.
    ///
    /// The link is made beside `path` and renamed over it, so a hub opening `path` meanwhile finds
    /// either the old target or the new one, never nothing.
    /// - Throws: `SerialError.io` when the link cannot be made (no such directory, no permission).
    public func link(at path: String) throws(SerialError) {
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard symlink(devicePath, temporary) == 0 else {
            throw SerialError.io(operation: "symlink", path: path, errno: errno)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw SerialError.io(operation: "rename", path: path, errno: code)
        }
        lock.withLock { links.append(path) }
    }

    /// Writes `bytes` to the hub, waiting while the kernel's buffer is full.
    ///
    /// - Throws: `SerialError.writeTimedOut` when the hub took nothing for `timeout` seconds (it
    ///   is not reading), `SerialError.io` after `close()` or on any other failure.
    public func write(_ bytes: [UInt8], timeout: Double = 10) throws(SerialError) {
        let descriptor = lock.withLock { master }
        _ = try SerialPort.writeAll(bytes, to: descriptor, path: devicePath, timeout: timeout, wake: nil)
    }

    /// What the hub wrote: waits up to `timeout` seconds for the first byte, then returns every
    /// byte already there. Empty on timeout and after `close()`.
    public func read(timeout: Double) -> [UInt8] {
        let descriptor = lock.withLock { master }
        guard descriptor >= 0 else { return [] }
        let deadline = SerialPort.monotonicSeconds() + max(0, timeout)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                received += buffer[..<count]
                continue
            }
            let code = errno
            if count < 0 && code == EINTR { continue }
            // EAGAIN: nothing more now. EIO: no slave open, which cannot happen while ours is.
            if !received.isEmpty || (count < 0 && code != EAGAIN) { return received }
            guard case .ready = SerialPort.wait(for: Int16(POLLIN), on: descriptor, until: deadline, wake: nil)
            else { return received }
        }
    }

    /// Unplugs the "device": closes both ends, which hangs up the hub's descriptor, and removes
    /// the symlinks made by `link(at:)` that still lead here. Idempotent.
    ///
    /// A symlink that another pseudo-terminal has since replaced is left alone: it is the new
    /// device's now.
    public func close() {
        let (master, slave, links) = lock.withLock {
            defer {
                self.master = -1
                self.slave = -1
                self.links = []
            }
            return (self.master, self.slave, self.links)
        }
        for path in links {
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink(path, &target, target.count - 1)
            let leadsHere =
                length > 0
                && String(decoding: target[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) == devicePath
            if leadsHere { unlink(path) }
        }
        if master >= 0 { Glibc.close(master) }
        if slave >= 0 { Glibc.close(slave) }
    }
}
