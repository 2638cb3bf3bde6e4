import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VaktCore
import VaktDevices
import VaktStore

/// The hub's connection to the broker: takes device messages and commands in, publishes
/// alarm snapshots, replies and the hub's own retained state out.
///
/// The client id is fixed and the session persistent (clean session off), so messages sent
/// while the hub is down wait for it on the broker. The retained `vakt/<site>/hub/state` is
/// `online` while the hub runs; the broker publishes the last will `offline` if it vanishes.
public final class MQTTService: Service, HubPublisher, @unchecked Sendable {
    let hub: Hub
    let address: BrokerAddress
    let client: MQTTClient
    /// A new broker session began but its epoch could not be stored yet.
    private let sessionEpochOwed = Mutex(false)
    /// Subscriptions sent on the current connection and not yet confirmed by the broker.
    private let pendingSubscriptions = Mutex(Set<Int>())
    private var stateTopic: String { "\(hub.site.topicPrefix)/hub/state" }

    public init(hub: Hub, address: BrokerAddress, password: String?) throws {
        self.hub = hub
        self.address = address
        let settings = hub.site.broker
        client = try MQTTClient(
            options: MQTTClientOptions(
                clientID: settings.clientID ?? "vakt-\(hub.site.id)",
                cleanSession: false,
                will: MQTTWill(
                    topic: "\(hub.site.topicPrefix)/hub/state", payload: Array("offline".utf8), qos: 1, retain: true),
                username: settings.username, password: password, tlsCAFile: settings.caFile),
            logger: hub.logger)
    }

    public func run() async throws {
        client.onConnect = { [hub, weak self] sessionPresent in
            guard let self else { return }
            // A new broker session restarts packet ids: its epoch must be on disk before any of
            // its messages is. If it cannot be written, take nothing and try again later; the
            // next connection resumes the session, but the epoch is still owed.
            if !sessionPresent || self.sessionEpochOwed.withLock({ $0 }) {
                do {
                    try hub.beginBrokerSession()
                    self.sessionEpochOwed.withLock { $0 = false }
                } catch {
                    self.sessionEpochOwed.withLock { $0 = true }
                    hub.logger.critical("could not record the new broker session: \(error); reconnecting")
                    self.client.abortConnection()
                    return
                }
            }
            var requested = Set<Int>()
            for topic in hub.subscriptions {
                do { requested.insert(try self.client.subscribe(topic, qos: 1)) } catch {
                    hub.logger.error("could not subscribe to \(topic): \(error)")
                }
            }
            self.pendingSubscriptions.withLock { $0 = requested }
            self.publishRetained(self.stateTopic, Array("online".utf8))
            for alarm in hub.openAlarms { self.publish(alarm: AlarmSnapshot(alarm, site: hub.site)) }
            for (channel, health) in hub.channelHealthNow { self.publish(channel: channel, health: health) }
            for state in hub.sources { self.publish(source: state) }
            self.publish(silences: hub.silences)
            // Logged last, so whoever waits for this line finds the subscriptions sent. (The
            // client itself logs a lost connection, with its reason.)
            hub.logger.notice(
                "connected to broker \(self.address.description) (session \(sessionPresent ? "resumed" : "new")); subscribed to \(hub.subscriptions.joined(separator: ", "))"
            )
        }
        client.onSubscribe = { [hub, weak self] mid in
            guard let self else { return }
            let done = self.pendingSubscriptions.withLock { pending -> Bool in
                guard pending.remove(mid) != nil else { return false }
                return pending.isEmpty
            }
            // From here on nothing published on the device topics can miss the hub.
            if done { hub.logger.notice("broker confirmed the subscriptions") }
        }
        client.onBatch = { [hub, client] messages in
            guard let failed = hub.ingest(batch: messages) else { return true }
            // Not on disk from `failed` on: cut the connection before libmosquitto writes the
            // PUBACKs, so the broker keeps the messages and redelivers them after the
            // reconnection; then hold each here until the store takes it (a QoS 0 message
            // too, which the broker would not keep).
            client.abortConnection()
            guard hub.holdUntilRecorded(messages[failed]) else { return false }
            for message in messages[(failed + 1)...] where !hub.ingest(message) {
                guard hub.holdUntilRecorded(message) else { return false }
            }
            return false
        }
        hub.setPublisher(self)
        // The broker may not be up yet (boot order, a restart): keep trying, while the timers
        // and the outbox run on. Once connected, libmosquitto reconnects by itself.
        guard await cancelWhenGracefulShutdown({ await self.connectWithRetry() }) else {
            hub.setPublisher(nil)
            return
        }
        try? await gracefulShutdown()
        hub.haltIngest()
        hub.setPublisher(nil)
        // A graceful stop says so itself: the will is only for when the hub vanishes.
        publishRetained(stateTopic, Array("offline".utf8))
        client.disconnect()
        hub.logger.notice("disconnected from broker")
    }

    /// Opens the connection, retrying with the client's own reconnect backoff (1 s doubling
    /// to 5 s) until it opens or the task is cancelled. Returns whether it opened.
    private func connectWithRetry() async -> Bool {
        let backoff = client.options.reconnectDelay
        var delay = backoff.first
        var failures = 0
        while !Task.isCancelled {
            do {
                try client.connect(to: address)
                if failures > 0 {
                    hub.logger.notice("reached the broker at \(address.description) after \(failures) failed attempts")
                }
                return true
            } catch {
                failures += 1
                hub.logger.error(
                    "cannot reach the broker at \(address.description): \(error); retrying in \(Int(delay)) s",
                    metadata: ["attempt": "\(failures)"])
            }
            do {
                try await Task.sleep(for: .seconds(delay))
            } catch {
                return false
            }
            delay = backoff.next(after: delay)
        }
        return false
    }

    func publish(alarm: AlarmSnapshot) {
        let topic = "\(hub.site.topicPrefix)/alarms/\(alarm.id)"
        if alarm.state == .resolved {
            // Live subscribers see the final state; the retained slot is cleared so a dashboard
            // that connects later sees open alarms only.
            publish(topic, Array(alarm.json()), retain: false)
            publishRetained(topic, [])
        } else {
            publishRetained(topic, Array(alarm.json()))
        }
    }

    func publish(reply: CommandReply) {
        // Written by the canonical writer, the alarm as its snapshot: parsing the snapshot back
        // into a dictionary for JSONSerialization was a tenth of the hub's CPU while alarms
        // were raised and resolved (perf).
        var members: [(String, CanonicalJSON.Value)] = [
            ("id", .string(reply.id)), ("ok", .bool(reply.ok)), ("message", .string(reply.message)),
        ]
        if let code = reply.code { members.append(("code", .string(code))) }
        if let by = reply.by { members.append(("by", .string(by))) }
        if let alarm = reply.alarm { members.append(("alarm", AlarmSnapshot(alarm, site: hub.site).canonicalValue)) }
        publish("\(hub.site.topicPrefix)/replies/\(reply.staff)", CanonicalJSON.bytes(.object(members)), retain: false)
    }

    func publish(source: SourceState) {
        publishRetained(
            "\(hub.site.topicPrefix)/devices/\(source.id)", DeviceStatus.json(source, in: hub.site.timeZone))
    }

    func publish(channel: String, health: ChannelHealth) {
        publishRetained("\(hub.site.topicPrefix)/channels/\(channel)", health.json(in: hub.site.timeZone))
    }

    func publish(checkpoint: AuditCheckpoint) {
        publishRetained("\(hub.site.topicPrefix)/audit/checkpoint", Array(checkpoint.json()))
    }

    func publish(silences: [Silence]) {
        let list = silences.map { $0.wireObject(in: hub.site.timeZone) }
        let data = (try? JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])) ?? Data("[]".utf8)
        publishRetained("\(hub.site.topicPrefix)/silences", Array(data))
    }

    func publish(reply object: [String: Any], staff: String) {
        publish("\(hub.site.topicPrefix)/replies/\(staff)", WireJSON.bytes(object), retain: false)
    }

    private func publishRetained(_ topic: String, _ payload: [UInt8]) {
        publish(topic, payload, retain: true)
    }

    private func publish(_ topic: String, _ payload: [UInt8], retain: Bool) {
        do {
            try client.publish(topic, payload: payload, qos: 1, retain: retain)
        } catch {
            // Offline: libmosquitto queues nothing while disconnected. The snapshot is
            // republished on the next connect, from the store's open alarms.
            hub.logger.debug("could not publish \(topic): \(error)")
        }
    }
}
