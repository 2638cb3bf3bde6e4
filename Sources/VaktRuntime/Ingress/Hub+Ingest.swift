import Foundation
import VaktCore
import VaktDevices
import VaktStore

extension Hub {
    /// The event log's reason for a retained message seen with no stored state: only its
    /// battery level was taken (`vakt replay` reads it back).
    static let retainedFirstSeen = "retained state seen first: taken as the starting state"
    /// The event log's reason for a retained message that differs from the stored state.
    static let retainedChanged = "retained state differs from the stored state"

    /// Payloads kept in the event log for rejected input are cut to this size.
    static let rejectedPayloadLimit = 4_096

    /// The topics the hub subscribes to, derived from the configured devices and bridges: each
    /// base topic they publish under (so a device paired but not configured is noticed), and
    /// commands.
    public var subscriptions: [String] {
        let topics = site.devices.compactMap(\.topic) + site.bridges.compactMap { $0.baseTopic.map { "\($0)/x" } }
        let bases = Set(topics.compactMap { $0.split(separator: "/").first.map(String.init) })
        return bases.sorted().map { "\($0)/#" } + ["\(site.topicPrefix)/commands/+"]
    }

    /// The broker started a new session for the hub; committed before any of its messages.
    func beginBrokerSession() throws {
        try withLock {
            var next = tracker
            next.beginNewSession()
            try handle(
                [], session: MQTTSessionUpdate(epoch: next.epoch, lastMid: 0, wraps: 0))
            tracker = next
        }
    }

    /// Takes one MQTT message: records it, decodes it, runs the engine, commits, all before
    /// returning, so the broker hears the PUBACK only for what is on disk.
    ///
    /// Bad input never throws out of here: it is recorded as rejected with its reason, counted,
    /// and logged at most once a minute per source.
    ///
    /// - Returns: Whether the message is on record (accepted or rejected). `false` means the
    ///   store refused the write (disk full, I/O error): the caller must keep the broker from
    ///   hearing the PUBACK, so the message stays on the broker and comes again.
    @discardableResult
    func ingest(_ message: MQTTMessage) -> Bool {
        guard let (error, key) = record(message) else { return true }
        if keptAsUnstorable(message, error) { return true }
        logger.critical(
            "could not record message on \(message.topic): \(error); leaving it on the broker to come again",
            metadata: ["key": "\(key)"])
        return false
    }

    /// Records one message; returns the store's error and the message's key when nothing was
    /// committed. The tracker is left as it was then, so a redelivery gets the same key.
    private func record(_ message: MQTTMessage) -> (any Error, String)? {
        committing(message) { key, digest, session in try route(message, key: key, digest: digest, session: session) }
    }

    /// Runs `commit` with the message's event key, digest and session state, under the lock;
    /// the tracker moves on only when it returns. Returns the error and the key when it threw.
    private func committing(
        _ message: MQTTMessage, _ commit: (String, String, MQTTSessionUpdate) throws -> Void
    ) -> (any Error, String)? {
        withLock {
            var key = ""
            do {
                try commitOne(message) { messageKey, digest, session in
                    key = messageKey
                    try commit(messageKey, digest, session)
                }
                return nil
            } catch {
                return (error, key)
            }
        }
    }

    /// Runs `commit` with the message's event key, digest and session state, under the lock;
    /// the tracker moves on only when it returns.
    private func commitOne(_ message: MQTTMessage, _ commit: (String, String, MQTTSessionUpdate) throws -> Void)
        throws
    {
        try withLock {
            var next = tracker
            let digest = MQTTSessionTracker.digest(topic: message.topic, payload: message.payload)
            let key = next.key(digest: digest, qos: message.qos, mid: message.mid, retain: message.retain)
            let session = MQTTSessionUpdate(epoch: next.epoch, lastMid: next.lastMid ?? 0, wraps: next.wraps)
            try commit(key, digest, session)
            tracker = next
        }
    }

    /// Takes the messages read in one go: all in one transaction (one fsync for the lot), or,
    /// when that fails, one by one as `ingest` does. Returns the index of the first message not
    /// on record (`nil`: all are); the caller keeps the broker from hearing its PUBACK, and
    /// those of the rest.
    func ingest(batch messages: [MQTTMessage]) -> Int? {
        if messages.count > 1 {
            let together = inOneTransaction {
                for message in messages {
                    try commitOne(message) { key, digest, session in
                        try route(message, key: key, digest: digest, session: session)
                    }
                }
            }
            if together { return nil }
        }
        for (index, message) in messages.enumerated() where !ingest(message) { return index }
        return nil
    }

    /// A message the store refused for what it is, not because the store cannot write (a full
    /// disk): it would be refused as often as it came, and hold up everything after it. It is
    /// kept in the event log as rejected, with the error, and logged. Returns whether it was.
    private func keptAsUnstorable(_ message: MQTTMessage, _ error: any Error) -> Bool {
        guard !Self.isResourceFailure(error) else { return false }
        let failed = committing(message) { key, _, session in
            try reject(
                message, key: key, session: session, source: site.device(onTopic: message.topic)?.id ?? message.topic,
                reason: "could not be stored: \(error)")
        }
        guard failed == nil else { return false }
        logger.error("message on \(message.topic) could not be stored: \(error); kept in the event log as rejected")
        return true
    }

    /// After `ingest` failed: holds the message, unacknowledged, and tries it again every second
    /// until the store takes it (returns true) or the hub stops (false).
    ///
    /// It runs on libmosquitto's network thread, and blocking that thread is the point: while
    /// the store cannot write (a full disk), libmosquitto does not reconnect, so the broker
    /// does not hand over its window of messages again and again, each refused and logged.
    /// The caller has cut the connection, so the broker keeps the message (and published the
    /// hub's will: dashboards say the hub is gone). Once recorded, the hub reconnects; the
    /// broker's redelivery of the message has the same key and is dropped as a duplicate.
    func holdUntilRecorded(_ message: MQTTMessage) -> Bool {
        let started = Date()
        var reported = started
        while waitUnlessHalted(seconds: 1) {
            guard let (error, _) = record(message), !keptAsUnstorable(message, error) else {
                logger.notice(
                    "the store takes writes again after \(Int(Date().timeIntervalSince(started))) s; taking the broker's backlog"
                )
                return true
            }
            if Date().timeIntervalSince(reported) >= 60 {
                reported = Date()
                logger.critical(
                    "still cannot record: \(error); for \(Int(reported.timeIntervalSince(started))) s now. Nothing is taken from the broker meanwhile, and it keeps the messages: free space on the data directory's disk"
                )
            }
        }
        return false
    }

    private func route(_ message: MQTTMessage, key: String, digest: String, session: MQTTSessionUpdate) throws {
        let now = clock.now()
        let payload = Data(message.payload)
        let commandPrefix = "\(site.topicPrefix)/commands/"

        if message.topic.hasPrefix(commandPrefix) {
            // A command answers at once (a refusal, a timeline read from the store), which a
            // shared transaction could still roll back and which could not see its writes:
            // commands are taken one by one.
            if inOneTransactionNow { throw OneByOne() }
            let staff = String(message.topic.dropFirst(commandPrefix.count))
            if let query = TimelineQuery.parse(message.payload) {
                answer(query, staff: staff)
                return
            }
            // A staff request of one kind or another: on record with its input, or refused with
            // the reason, on record too.
            switch StaffRequest.parse(message.payload, staff: staff) {
            case .success(let request):
                try handle(
                    [request.input],
                    event: EventRecord(
                        key: "command:\(staff):\(request.id)", receivedAt: now, source: message.topic, device: nil,
                        kind: request.kind, payload: payload, status: .accepted, reason: nil),
                    session: session)
            case .failure(let problem):
                try reject(message, key: key, session: session, source: "staff:\(staff)", reason: problem.reason)
                publisher(
                    reply: CommandReply(id: problem.requestID ?? "", staff: staff, ok: false, message: problem.reason))
            }
            return
        }

        guard let device = site.device(onTopic: message.topic) else {
            try routeHousekeeping(message, key: key, session: session)
            return
        }
        guard let profile = site.profiles[device.profile] else {
            try reject(
                message, key: key, session: session, source: device.id,
                reason: "device profile \(device.profile) is not loaded")
            return
        }
        switch PayloadDecoder(profile: profile).decode(message.payload, device: device.id) {
        case .success(let events):
            var report = DeviceReport(source: device.id, events: events, digest: digest)
            var reason: String?
            if message.retain {
                // Retained state replayed on (re)subscribe. The state the hub stored last is old
                // news. A different one is a change the hub missed while away. With nothing
                // stored (a new device, a new database) it is only the starting point: it may be
                // days old, so it raises nothing beyond the battery level it shows.
                let stored = engine.sources[device.id]?.lastDigest
                if stored == digest { return }
                if stored == nil {
                    report = DeviceReport(
                        source: device.id, events: events.filter { $0.kind == .batteryLevel }, digest: digest,
                        retained: true)
                    reason = Self.retainedFirstSeen
                    logger.notice("device \(device.id): first state seen, from the broker's retained copy")
                } else {
                    report = DeviceReport(source: device.id, events: events, digest: digest, reconciled: true)
                    reason = Self.retainedChanged
                    logger.notice(
                        "device \(device.id): its retained state differs from the last one stored; raising what was missed",
                        metadata: ["events": "\(events.map(\.kind.rawValue).joined(separator: ","))"])
                }
            }
            try handle(
                [.report(report)],
                event: EventRecord(
                    key: key, receivedAt: now, source: message.topic, device: device.id,
                    kind: events.map(\.kind.rawValue).joined(separator: ","), payload: payload,
                    status: .accepted, reason: reason),
                session: session)
        case .failure(let error):
            try reject(message, key: key, session: session, source: device.id, reason: error.description)
        }
    }

    /// Records a rejected message (payload cut short), counts it on the device or bridge it
    /// came from, and logs it, rate-limited per source.
    func reject(_ message: MQTTMessage, key: String, session: MQTTSessionUpdate, source: String, reason: String)
        throws
    {
        let now = clock.now()
        let counted = site.device(source) != nil || site.bridge(source) != nil
        try handle(
            counted ? [.rejected(source: source, reason: reason)] : [],
            event: EventRecord(
                key: key, receivedAt: now, source: message.topic, device: site.device(onTopic: message.topic)?.id,
                kind: nil, payload: Data(message.payload.prefix(Self.rejectedPayloadLimit)),
                status: .rejected, reason: reason),
            session: session)
        if let line = rejections.note(source: source, reason: reason, at: now) {
            logger.warning("\(line)")
        }
    }

    private func publisher(reply: CommandReply) {
        currentPublisher?.publish(reply: reply)
    }

    /// Answers a dashboard's request for one alarm's timeline. A read changes nothing, so it
    /// is neither an event nor audited; it is answered only to known staff.
    private func answer(_ query: TimelineQuery, staff: String) {
        var reply: [String: Any] = ["id": query.id]
        if site.staffMember(staff) == nil {
            reply["ok"] = false
            reply["message"] = "unknown staff id \(staff)"
        } else {
            do {
                let records = try store.timeline(alarm: query.alarm)
                reply["ok"] = true
                reply["message"] = records.isEmpty ? "no records for \(query.alarm)" : ""
                reply["timeline"] = records.map { record -> [String: Any] in
                    [
                        "seq": record.seq, "at": RFC3339.string(from: record.at, in: site.timeZone),
                        "action": record.action, "actor": record.actor, "recipient": record.recipient ?? NSNull(),
                        "channel": record.channel ?? NSNull(), "result": record.result ?? NSNull(),
                        "detail": record.detail,
                    ]
                }
            } catch {
                reply["ok"] = false
                reply["message"] = "cannot read the audit: \(error)"
            }
        }
        currentPublisher?.publish(reply: reply, staff: staff)
    }
}
