import CMosquitto
import Foundation

/// The client's own network loop, for `onBatch`.
///
/// libmosquitto's thread (`mosquitto_loop_start`) reads one packet, calls `on_message`, and
/// writes the queued PUBACK, message after message: a handler that commits before returning
/// pays one fsync per message. Here the client drives the loop itself, with
/// `mosquitto_threaded_set` so nothing queued is written until it says: it reads what the
/// socket holds (as many messages as the broker has in flight to the client, 20 by mosquitto's
/// default, and 512 at most), hands them to `onBatch` together, and only then lets
/// `mosquitto_loop_write` send their PUBACKs. It reconnects with the options' backoff as
/// libmosquitto's loop would, and keeps the connection alive with `mosquitto_loop_misc`.
final class OwnLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    /// A pipe whose read end the loop polls: written to when something is queued for the
    /// broker from another thread, or the loop must stop.
    let wakeRead: Int32
    let wakeWrite: Int32
    let done = DispatchSemaphore(value: 0)

    /// The most messages handed over at once.
    static let batchLimit = 512

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw MosquittoError.systemError }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    var isStopping: Bool { lock.withLock { stopping } }

    func stop() {
        lock.withLock { stopping = true }
        wake()
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// Waits up to `seconds` for a wake-up; returns false when the loop must stop.
    func pause(seconds: Double) -> Bool {
        var fd = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, Int32(seconds * 1000))
        drain()
        return !isStopping
    }
}

extension MQTTClient {
    /// Starts the own loop's thread (the connection was started with `mosquitto_connect_async`).
    func startOwnLoop() throws {
        let loop = try OwnLoop()
        condition.withLock { ownLoop = loop }
        let thread = Thread { [self] in
            runOwnLoop(loop)
            loop.done.signal()
        }
        thread.name = "vakt-mqtt"
        thread.start()
    }

    /// Stops the own loop: the DISCONNECT queued by the caller is written first.
    func stopOwnLoop() {
        guard let loop = condition.withLock({ ownLoop }) else { return }
        loop.stop()
        loop.done.wait()
        condition.withLock { ownLoop = nil }
    }

    private func runOwnLoop(_ loop: OwnLoop) {
        condition.withLock { loopThread = pthread_self() }
        let backoff = options.reconnectDelay
        var delay = backoff.first
        while !loop.isStopping {
            // The backoff starts again once the broker has accepted a connection.
            if isConnected { delay = backoff.first }
            let socket = mosquitto_socket(handle)
            guard socket >= 0 else {
                // Not connected: try again after the backoff, as libmosquitto's loop would.
                guard loop.pause(seconds: delay) else { break }
                delay = backoff.next(after: delay)
                // Not after `disconnect()` has begun: a fresh CONNECT would be left unserved.
                if !loop.isStopping { _ = mosquitto_reconnect_async(handle) }
                continue
            }
            var fds = [
                pollfd(
                    fd: socket, events: Int16(POLLIN) | (mosquitto_want_write(handle) ? Int16(POLLOUT) : 0), revents: 0),
                pollfd(fd: loop.wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, 1000)
            if fds[1].revents != 0 { loop.drain() }
            var rc = MOSQ_ERR_SUCCESS.rawValue
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                rc = readBatch()
            }
            if rc == MOSQ_ERR_SUCCESS.rawValue, mosquitto_socket(handle) >= 0, mosquitto_want_write(handle) {
                rc = mosquitto_loop_write(handle, 1)
            }
            if mosquitto_socket(handle) >= 0 { _ = mosquitto_loop_misc(handle) }
        }
        // Stopping: write what is queued (a last retained state, the DISCONNECT), for a second
        // at most, then let go.
        let deadline = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
        while mosquitto_socket(handle) >= 0, mosquitto_want_write(handle),
            DispatchTime.now().uptimeNanoseconds < deadline
        {
            var fd = pollfd(fd: mosquitto_socket(handle), events: Int16(POLLOUT), revents: 0)
            _ = poll(&fd, 1, 100)
            if mosquitto_loop_write(handle, 1) != MOSQ_ERR_SUCCESS.rawValue { break }
        }
    }

    /// Reads what the socket holds, up to `OwnLoop.batchLimit` messages, and hands the
    /// messages to `onBatch`; returns libmosquitto's last code. A batch the handler did not
    /// take cuts the connection, so its PUBACKs are never written.
    private func readBatch() -> Int32 {
        var rc = MOSQ_ERR_SUCCESS.rawValue
        repeat {
            rc = mosquitto_loop_read(handle, 1)
        } while rc == MOSQ_ERR_SUCCESS.rawValue && batch.count < OwnLoop.batchLimit && socketHasData()
        let messages = batch
        batch.removeAll(keepingCapacity: true)
        if !messages.isEmpty, let handler = condition.withLock({ batchHandler }), !handler(messages) {
            abortConnection()
        }
        return rc
    }

    /// Whether more bytes wait on the socket now.
    private func socketHasData() -> Bool {
        let socket = mosquitto_socket(handle)
        guard socket >= 0 else { return false }
        var fd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&fd, 1, 0) > 0 && fd.revents & Int16(POLLIN) != 0
    }
}
