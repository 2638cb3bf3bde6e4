import Foundation
import VaktCore
import VaktDevices
import VaktStore

/// Runs the events a hub stored through another configuration, with no side effects, and
/// compares the alarms it would have raised with those that were raised: the tool against
/// alarm fatigue (`vakt replay`).
///
/// The proposed engine starts empty at `since`, on virtual time: each stored event is handed
/// to it at the instant it arrived, its timers fire at their due instants, and supervision
/// passes run as the hub's would. Staff commands are replayed too, on the alarm the proposed
/// engine raised for the same event, so acknowledgements stop escalations and resolutions
/// start hold-offs as they did. Nothing is written: effects are only counted.
public struct Replay {
    public let site: Site
    public let store: Store

    public init(site: Site, store: Store) {
        self.site = site
        self.store = store
    }

    /// One alarm in the comparison.
    public struct Row: Sendable, Equatable {
        public enum Change: String, Sendable, Equatable {
            /// Raised by both, the same.
            case same
            /// Raised by both, with another kind, severity or policy.
            case changed
            /// Raised by the stored run only: the proposed rules would not raise it.
            case dropped
            /// Raised by the proposed rules only.
            case new
        }

        public var change: Change
        /// The stored alarm's id (`nil` for new ones).
        public var stored: String?
        /// The id the replay gave it (`nil` for dropped ones).
        public var replayed: String?
        public var raisedAt: Date
        public var room: String
        public var resident: String?
        public var device: String
        /// Kind and severity as stored, and as proposed (same when unchanged).
        public var before: String?
        public var after: String?
        /// Why a dropped alarm was not raised, when the proposed engine said (silenced, hold-off).
        public var reason: String?
    }

    public struct Report: Sendable {
        public var since: Date
        public var until: Date
        public var events: Int
        public var commands: Int
        public var rows: [Row]
        /// Notifications queued, by the stored run (from the audit) and the replay.
        public var storedNotifications: Int
        public var replayedNotifications: Int

        public func count(_ change: Row.Change) -> Int { rows.filter { $0.change == change }.count }

        /// Something would be different: an alarm, or how many notifications go out (a policy
        /// reaching other people changes no alarm, but does this).
        public var changes: Bool {
            rows.contains { $0.change != .same } || storedNotifications != replayedNotifications
        }
    }

    /// Replays `[since, until)`. Technical alarms (silence, batteries) are compared only with
    /// `technical`: availability messages are not in the event log, so they would differ.
    public func run(since: Date, until: Date, technical: Bool = false) throws -> Report {
        var engine = Engine(site: site, nextNumber: 1, silences: try silences(inForceAt: since))
        engine.resumedAt = since
        var timers: [String: ScheduledTimer] = [:]
        var replayed: [String: Alarm] = [:]
        var suppressedAt: [(Date, String, String)] = []  // (instant, device, reason)
        var mapping: [String: String] = [:]  // stored id -> replayed id
        var notifications = 0
        var clock = since
        let technicalRules = Set(site.rules.filter(\.isTechnical).map(\.id))
        let compared = { (alarm: Alarm) -> Bool in technical || !technicalRules.contains(alarm.rule) }
        var storedAlarms = try store.alarms(raisedFrom: since, to: until).filter(compared)
        storedAlarms.sort { $0.raisedAt < $1.raisedAt }
        var unmatched = storedAlarms

        func apply(_ effects: [Effect]) {
            for effect in effects {
                switch effect {
                case .schedule(let timer): timers[timer.id] = timer
                case .cancelTimer(let id): timers[id] = nil
                case .enqueue(let notification):
                    // Counted for the alarms compared, as the stored side is.
                    if let alarm = replayed[notification.alarm], compared(alarm) { notifications += 1 }
                case .saveAlarm(let alarm):
                    let isNew = replayed[alarm.id] == nil
                    replayed[alarm.id] = alarm
                    guard isNew else { continue }
                    // The stored alarm raised at the same moment about the same device by the
                    // same rule (or of the same kind, when the rule was renamed), if any. Alarms
                    // raised by timers match as those raised by messages do.
                    if let index = unmatched.firstIndex(where: {
                        $0.device == alarm.device && ($0.rule == alarm.rule || $0.kind == alarm.kind)
                            && abs($0.raisedAt.timeIntervalSince(alarm.raisedAt)) < 2
                    }) {
                        mapping[unmatched[index].id] = alarm.id
                        unmatched.remove(at: index)
                    }
                case .audit(let entry) where entry.action == .alarmSuppressed:
                    suppressedAt.append((entry.at, entry.detail["room"] ?? "", entry.detail["reason"] ?? ""))
                default: break
                }
            }
        }
        var lastPass = since.addingTimeInterval(-1)
        func advance(to instant: Date) {
            while true {
                let nextTimer = timers.values.min { ($0.due, $0.id) < ($1.due, $1.id) }
                // Supervision runs as the hub's service does: by its deadline, at least once a
                // minute, and not twice in the same second.
                let deadline = engine.nextSupervisionDeadline(now: clock) ?? .distantFuture
                let nextPass = max(min(deadline, lastPass + 60), lastPass + 1)
                let next = min(nextTimer?.due ?? .distantFuture, nextPass)
                guard next <= instant else { break }
                clock = max(clock, next)
                if let timer = nextTimer, timer.due <= nextPass {
                    timers[timer.id] = nil
                    apply(engine.handle(.timer(timer.fire), at: clock))
                } else {
                    lastPass = clock
                    apply(engine.handle(.supervise, at: clock))
                }
            }
            clock = max(clock, instant)
        }

        var events = 0
        var commands = 0
        try store.forEachAcceptedEvent(from: since, to: until) { record in
            advance(to: record.receivedAt)
            if let device = record.device, let kinds = record.kind {
                events += 1
                // Retained state is taken as the hub took it, by the reason it recorded.
                var decoded = decode(record, device: device, kinds: kinds)
                let first = record.reason == Hub.retainedFirstSeen
                if first { decoded = decoded.filter { $0.kind == .batteryLevel } }
                let report = DeviceReport(
                    source: device, events: decoded, digest: record.key, retained: first,
                    reconciled: record.reason == Hub.retainedChanged)
                apply(engine.handle(.report(report), at: record.receivedAt))
            } else if let input = command(record, mapping: mapping) {
                commands += 1
                apply(engine.handle(input, at: record.receivedAt))
            }
        }
        advance(to: until)

        var rows: [Row] = []
        for alarm in storedAlarms {
            guard let id = mapping[alarm.id], let now = replayed[id] else {
                let reason = suppressedAt.first {
                    abs($0.0.timeIntervalSince(alarm.raisedAt)) < 2 && $0.1 == alarm.room
                }?.2
                rows.append(row(.dropped, stored: alarm, replayed: nil, reason: reason))
                continue
            }
            let same = now.kind == alarm.kind && now.severity == alarm.severity && now.policy == alarm.policy
            rows.append(row(same ? .same : .changed, stored: alarm, replayed: now, reason: nil))
        }
        let mappedReplays = Set(mapping.values)
        for alarm in replayed.values where !mappedReplays.contains(alarm.id) && compared(alarm) {
            rows.append(row(.new, stored: nil, replayed: alarm, reason: nil))
        }
        rows.sort { a, b in
            a.raisedAt != b.raisedAt
                ? a.raisedAt < b.raisedAt : (a.stored ?? a.replayed ?? "") < (b.stored ?? b.replayed ?? "")
        }

        var storedNotifications = 0
        let storedIDs = Set(storedAlarms.map(\.id))
        try store.forEachAuditRecord(AuditFilter(since: since, until: until, actions: [.notificationQueued])) {
            // Failovers follow delivery failures, which a replay does not have.
            if let alarm = $0.alarm, storedIDs.contains(alarm), $0.detail["failover_from"] == nil {
                storedNotifications += 1
            }
        }
        return Report(
            since: since, until: until, events: events, commands: commands, rows: rows,
            storedNotifications: storedNotifications, replayedNotifications: notifications)
    }

    /// The silences in force at `instant`, as the audit tells them: started before it, not
    /// ended by then, and not yet run out.
    private func silences(inForceAt instant: Date) throws -> [Silence] {
        var found: [String: Silence] = [:]
        try store.forEachAuditRecord(AuditFilter(until: instant, actions: [.silenceStarted, .silenceEnded])) { record in
            guard let id = record.detail["silence"] else { return }
            if record.action == AuditAction.silenceEnded.rawValue {
                found[id] = nil
                return
            }
            guard let until = record.detail["until"].flatMap(RFC3339.date(from:)), until > instant else { return }
            found[id] = Silence(
                id: id, resident: record.detail["resident"], room: record.detail["room"],
                kinds: record.detail["kinds"].map { $0.split(separator: ",").map(String.init) }, from: record.at,
                until: until, by: String(record.actor.dropFirst("staff:".count)), reason: record.detail["reason"] ?? "")
        }
        return found.values.sorted { $0.id < $1.id }
    }

    private func row(_ change: Row.Change, stored: Alarm?, replayed: Alarm?, reason: String?) -> Row {
        let origin = stored ?? replayed
        func describe(_ alarm: Alarm?) -> String? {
            alarm.map { "\($0.kind) \($0.severity.rawValue) (\($0.policy))" }
        }
        return Row(
            change: change, stored: stored?.id, replayed: replayed?.id, raisedAt: origin?.raisedAt ?? .distantPast,
            room: origin?.room ?? "", resident: origin?.resident, device: origin?.device ?? "",
            before: describe(stored), after: describe(replayed), reason: reason)
    }

    /// The events a stored message carried, decoded again with the proposed profile where the
    /// device still has one (for the fields rules match on), else taken from the stored kinds.
    private func decode(_ record: EventRecord, device: String, kinds: String) -> [DeviceEvent] {
        if let configured = site.device(device), configured.topic == record.source,
            let profile = site.profiles[configured.profile],
            case .success(let events) = PayloadDecoder(profile: profile).decode(Array(record.payload), device: device)
        {
            return events
        }
        return kinds.split(separator: ",").map { DeviceEvent(kind: EventKind(rawValue: String($0)), device: device) }
    }

    /// A stored staff command as input to the proposed engine, aimed at the alarm it raised for
    /// the same event; `nil` for commands about alarms it did not raise, and queries.
    private func command(_ record: EventRecord, mapping: [String: String]) -> Input? {
        let prefix = "\(site.topicPrefix)/commands/"
        guard record.source.hasPrefix(prefix) else { return nil }
        let staff = String(record.source.dropFirst(prefix.count))
        // Test mode and silences as they were, so chain tests come back as tests; actions on
        // the alarm the proposed rules raised for the same event.
        guard case .success(let request) = StaffRequest.parse(Array(record.payload), staff: staff) else { return nil }
        guard case .command(var command) = request.input else { return request.input }
        guard let replayed = mapping[command.alarm] else { return nil }
        command.alarm = replayed
        return .command(command)
    }
}
