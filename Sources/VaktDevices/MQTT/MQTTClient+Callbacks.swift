import CMosquitto
import Foundation
import Logging

extension MQTTClient {
    /// Points libmosquitto's callbacks at this client; `userdata` is the client itself.
    func installCallbacks() {
        mosquitto_connect_with_flags_callback_set(handle) { _, userdata, rc, flags in
            MQTTClient.from(userdata)?.handleConnect(rc: rc, flags: flags)
        }
        mosquitto_disconnect_callback_set(handle) { _, userdata, rc in
            MQTTClient.from(userdata)?.handleDisconnect(rc: rc)
        }
        mosquitto_subscribe_callback_set(handle) { _, userdata, mid, _, _ in
            guard let client = MQTTClient.from(userdata) else { return }
            let handler = client.condition.withLock { client.subscribeHandler }
            handler?(Int(mid))
        }
        mosquitto_message_callback_set(handle) { _, userdata, message in
            guard let message else { return }
            MQTTClient.from(userdata)?.handleMessage(message.pointee)
        }
        // Failures before a connection exists (a TLS certificate that does not verify) reach
        // no other callback: only the log.
        mosquitto_log_callback_set(handle) { _, userdata, level, text in
            guard level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING) != 0, let text else { return }
            MQTTClient.from(userdata)?.handleProblem(String(cString: text))
        }
    }

    /// Says what libmosquitto reported, once a minute at most for the same words (timed on
    /// the monotonic clock, so a wall-clock step cannot silence it).
    func handleProblem(_ text: String) {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        let (say, address) = condition.withLock {
            if let said = problemsSaid[text], now - said < 60 { return (false, self.address) }
            if problemsSaid.count > 64 { problemsSaid.removeAll() }
            problemsSaid[text] = now
            return (true, self.address)
        }
        guard say else { return }
        var hint = ""
        if text.contains("certificate verify failed") {
            hint =
                "; the broker's certificate does not verify: not signed by the CA the hub trusts (broker.ca_file), expired, or not naming the host in the URL"
        }
        logger.error("broker \(address?.description ?? "?"): \(text)\(hint)")
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> MQTTClient? {
        userdata.map { Unmanaged<MQTTClient>.fromOpaque($0).takeUnretainedValue() }
    }

    private func handleConnect(rc: Int32, flags: Int32) {
        guard rc == 0 else {
            let reason = String(cString: mosquitto_connack_string(rc))
            logger.error("broker refused the connection: \(reason)")
            return
        }
        let (handler, reconnected, address) = condition.withLock {
            loopThread = pthread_self()
            let reconnected = everConnected
            aborted = false
            connected = true
            everConnected = true
            return (connectHandler, reconnected, self.address)
        }
        let sessionPresent = flags & 1 != 0
        // The owner of the client reports the connection once it has acted on it.
        logger.debug(
            "broker \(address?.description ?? "?") accepted the \(reconnected ? "reconnection" : "connection") (session \(sessionPresent ? "resumed" : "new"))"
        )
        handler?(sessionPresent)
        // Waiters wake only now, so they find the handler's subscriptions already sent.
        condition.withLock {
            ready = connected
            condition.broadcast()
        }
    }

    private func handleDisconnect(rc: Int32) {
        let (handler, address, wasConnected) = condition.withLock {
            loopThread = pthread_self()
            let wasConnected = connected
            connected = false
            ready = false
            condition.broadcast()
            return (disconnectHandler, self.address, wasConnected)
        }
        if rc != 0 && wasConnected {
            logger.warning(
                "lost the connection to broker \(address?.description ?? "?") (\(MosquittoError(code: rc))); reconnecting with backoff"
            )
        } else if rc != 0 {
            // A reconnection attempt that failed: said once a minute while it goes on.
            handleProblem("cannot reach the broker (\(MosquittoError(code: rc))); trying again with backoff")
        }
        handler?(rc)
    }

    private func handleMessage(_ raw: mosquitto_message) {
        let (handler, batching, aborted): ((@Sendable (MQTTMessage) -> Void)?, Bool, Bool) = condition.withLock {
            loopThread = pthread_self()
            return (messageHandler, ownLoop != nil, self.aborted)
        }
        // Read from a connection cut on purpose: not acknowledged, the broker sends it again.
        guard !aborted, handler != nil || batching else { return }
        let payload: [UInt8] =
            if let bytes = raw.payload, raw.payloadlen > 0 {
                Array(UnsafeRawBufferPointer(start: bytes, count: Int(raw.payloadlen)))
            } else {
                []
            }
        let topic = raw.topic.map { String(cString: $0) } ?? ""
        let message = MQTTMessage(
            topic: topic, payload: payload, qos: Int(raw.qos), retain: raw.retain, mid: Int(raw.mid))
        if batching {
            batch.append(message)  // the own loop's thread only
        } else {
            handler?(message)
        }
    }
}
