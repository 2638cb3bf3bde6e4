import CMosquitto
import Foundation
import Logging

extension MQTTClient {
    /// Starts connecting to `address` and starts the network thread.
    ///
    /// Returns once the TCP (or Unix socket) connection is open; the broker's answer comes
    /// later, to `onConnect` and `waitUntilConnected(timeout:)`. From then on libmosquitto
    /// reconnects on its own whenever the connection drops, until `disconnect()`.
    /// - Throws: `MosquittoError` when the connection cannot be opened now (`.systemError` with
    ///   `ECONNREFUSED` when nothing listens, `.lookup` for an unknown host), or
    ///   `MosquittoError.invalid` when the client is already connected. Nothing keeps
    ///   running after a throw.
    public func connect(to address: BrokerAddress) throws {
        stopLock.lock()
        defer { stopLock.unlock() }
        let running = condition.withLock { loopRunning }
        guard !running else { throw MosquittoError.invalid }
        if address.tls {
            if let caFile = options.tlsCAFile {
                try MosquittoError.check(mosquitto_tls_set(handle, caFile, nil, nil, nil, nil))
            } else {
                try MosquittoError.check(mosquitto_int_option(handle, MOSQ_OPT_TLS_USE_OS_CERTS, 1))
            }
        }
        let retained = Unmanaged.passRetained(self)
        mosquitto_user_data_set(handle, retained.toOpaque())
        let batching = condition.withLock {
            self.address = address
            return batchHandler != nil
        }
        var rc = mosquitto_connect_async(
            handle, address.host, Int32(address.isUnixSocket ? 0 : address.port), Int32(options.keepAlive))
        if rc == MOSQ_ERR_SUCCESS.rawValue {
            if batching {
                // From here the client drives the loop: libmosquitto writes nothing by itself.
                mosquitto_threaded_set(handle, true)
                do {
                    try startOwnLoop()
                } catch {
                    rc = MOSQ_ERR_ERRNO.rawValue
                }
            } else {
                rc = mosquitto_loop_start(handle)
            }
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            let error = MosquittoError(returnCode: rc)
            mosquitto_user_data_set(handle, nil)
            retained.release()
            throw error
        }
        condition.withLock {
            loopRunning = true
            retainedSelf = retained
        }
        logger.debug("connecting to broker \(address) as \(options.clientID)")
    }

    /// Waits until the broker has accepted the connection and `onConnect` has returned, at
    /// most `timeout`; so what `onConnect` subscribed to is subscribed (the SUBSCRIBE has been
    /// sent before anything the caller publishes next).
    ///
    /// - Returns: Whether the client is connected.
    public func waitUntilConnected(timeout: Duration) -> Bool {
        let components = timeout.components
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !ready {
            if !condition.wait(until: deadline) { return ready }
        }
        return true
    }

    /// Ends the session gracefully: sends DISCONNECT (so the broker does not publish the
    /// will), then stops and joins the network thread.
    ///
    /// Idempotent and safe from several threads at once. QoS 1 messages already handed to
    /// the socket go out before the DISCONNECT. Called from one of this client's own
    /// callbacks, it sends the DISCONNECT and joins the thread from another one, since a
    /// thread cannot join itself.
    public func disconnect() {
        let onLoopThread = condition.withLock { loopThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
        if onLoopThread {
            mosquitto_disconnect(handle)
            Thread.detachNewThread { self.disconnect() }
            return
        }
        stopLock.lock()
        defer { stopLock.unlock() }
        guard condition.withLock({ loopRunning }) else { return }
        mosquitto_disconnect(handle)
        if condition.withLock({ ownLoop != nil }) {
            stopOwnLoop()
            mosquitto_threaded_set(handle, false)
        } else {
            mosquitto_loop_stop(handle, false)
        }
        let retained = condition.withLock {
            defer {
                loopRunning = false
                connected = false
                ready = false
                loopThread = nil
                retainedSelf = nil
                condition.broadcast()
            }
            return retainedSelf
        }
        mosquitto_user_data_set(handle, nil)
        logger.debug("disconnected from broker")
        retained?.release()
    }

    /// Subscribes to `topic` (wildcards allowed) at `qos`.
    ///
    /// - Returns: The request's id; `onSubscribe` is called with it when the broker confirms.
    /// - Throws: `MosquittoError.noConnection` while disconnected; subscribe again in
    ///   `onConnect`, which runs on every reconnection.
    @discardableResult
    public func subscribe(_ topic: String, qos: Int) throws -> Int {
        var mid: Int32 = 0
        try MosquittoError.check(mosquitto_subscribe(handle, &mid, topic, Int32(qos)))
        condition.withLock { ownLoop }?.wake()
        return Int(mid)
    }

    /// Publishes `payload` on `topic`.
    ///
    /// - Throws: `MosquittoError.noConnection` while disconnected (nothing is queued), or
    ///   `.payloadSize`, `.malformedUTF8` for a bad topic.
    public func publish(_ topic: String, payload: [UInt8], qos: Int, retain: Bool) throws {
        guard isConnected else { throw MosquittoError.noConnection }
        try payload.withUnsafeBytes { bytes in
            try MosquittoError.check(
                mosquitto_publish(handle, nil, topic, Int32(bytes.count), bytes.baseAddress, Int32(qos), retain))
        }
        // The own loop writes what is queued when it is woken.
        condition.withLock { ownLoop }?.wake()
    }

    /// Cuts the connection at once, without a DISCONNECT and without writing what is queued,
    /// as a pulled cable would; libmosquitto then reconnects with its backoff.
    ///
    /// Called from `onMessage` for a QoS 1 message that could not be stored, it keeps that
    /// message's PUBACK (queued, written after the callback returns) from reaching the broker:
    /// the broker keeps the message in the persistent session and redelivers it, with the
    /// same packet id, after the reconnection.
    public func abortConnection() {
        condition.withLock { aborted = true }
        let socket = mosquitto_socket(handle)
        if socket >= 0 { shutdown(socket, Int32(SHUT_RDWR)) }
    }
}
