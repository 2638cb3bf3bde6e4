import Foundation

/// The wall clock stepped while monotonic time did not: NTP correcting a clock that drifted
/// or booted wrong, an operator setting it, a virtual machine resumed.
///
/// Every wait the hub keeps is a length of time (an escalation's delay, an absence rule's
/// window, a device's longest silence, a silence of two hours), stored as a wall-clock
/// instant so it survives restarts. A step would make each of them early or late by the
/// step, so the engine moves the pending instants by the step instead: time already waited
/// and time left stay what they were. An open alarm's times move too, so how long it has
/// waited and how long the answer took stay true. A silence set to end at a given time keeps
/// that end. What is over keeps the times it was written with (the event log, the audit,
/// resolved alarms); the `clock.jumped` record says where the two clocks part.
///
/// Only instants written on the clock that stepped move (``scope``). After a reboot the hub
/// cannot tell what the clock was when the state it restored was written: a box without a
/// clock battery boots behind, and NTP then sets it right; moving an escalation written
/// before the power cut by that step would make it wait the downtime again.
public struct ClockStep: Sendable, Equatable {
    /// Positive: the wall clock jumped ahead.
    public var seconds: Double
    /// The pending timers to move.
    public var timers: [ScheduledTimer]
    /// Pending timers left where they are: written before this boot.
    public var timersKept: Int
    /// What else moves, as `alarm:<id>`, `source:<id>`, `memory:<id>`, `silence:<id>` and
    /// `outbox:<notification key>`; `nil`: everything.
    public var scope: Set<String>?
    /// When the step was seen.
    public var noticed: Noticed

    public enum Noticed: String, Sendable {
        /// While the hub ran.
        case running
        /// At start, against the clocks' reference from before: it happened while the hub was
        /// not running.
        case stopped
    }

    public init(
        seconds: Double, timers: [ScheduledTimer], timersKept: Int = 0, scope: Set<String>? = nil,
        noticed: Noticed = .running
    ) {
        self.seconds = seconds
        self.timers = timers
        self.timersKept = timersKept
        self.scope = scope
        self.noticed = noticed
    }

    /// Whether the state with this key (`alarm:A1`) moves.
    public func moves(_ key: String) -> Bool { scope?.contains(key) ?? true }
}

extension Engine {
    mutating func handleClockStep(_ step: ClockStep, at now: Date) -> [Effect] {
        let shift = step.seconds
        func moved(_ instant: Date?) -> Date? { instant?.addingTimeInterval(shift) }
        var detail = [
            "wall_step_seconds": String(Int(shift.rounded())),
            "from": RFC3339.string(from: now.addingTimeInterval(-shift), in: site.timeZone),
            "to": RFC3339.string(from: now, in: site.timeZone),
            "timers_moved": String(step.timers.count),
            "noticed": step.noticed.rawValue,
        ]
        if step.timersKept > 0 { detail["timers_kept"] = String(step.timersKept) }
        var effects: [Effect] = [.audit(AuditEntry(at: now, actor: "hub", action: .clockJumped, detail: detail))]
        // A silence set to end at a given time ends at that time on the clock as it now reads:
        // its timer stays where it is.
        let fixedEnds = Set(silences.values.filter { $0.fixedEnd == true }.map { "silence:\($0.id)" })
        for var timer in step.timers where !fixedEnds.contains(timer.id) {
            timer.due = timer.due.addingTimeInterval(shift)
            effects.append(.schedule(timer))
        }
        let outbox = step.scope.map { scope in
            Set(scope.filter { $0.hasPrefix("outbox:") }.map { String($0.dropFirst("outbox:".count)) })
        }
        effects.append(.shiftPendingAttempts(seconds: shift, keys: outbox))
        for id in openAlarms.keys.sorted() where step.moves("alarm:\(id)") {
            guard var alarm = openAlarms[id] else { continue }
            alarm.raisedAt = alarm.raisedAt.addingTimeInterval(shift)
            alarm.lastEventAt = alarm.lastEventAt.addingTimeInterval(shift)
            alarm.acknowledgedAt = moved(alarm.acknowledgedAt)
            alarm.onsiteAt = moved(alarm.onsiteAt)
            alarm.escalatesAt = moved(alarm.escalatesAt)
            alarm.renotifiedAt = moved(alarm.renotifiedAt)
            openAlarms[id] = alarm
            effects.append(.saveAlarm(alarm))
        }
        // Hold-offs and reopening count from a resolve: in the engine's memory only, the
        // stored alarm is history.
        recentlyResolved = recentlyResolved.mapValues { alarm in
            guard step.moves("alarm:\(alarm.id)") else { return alarm }
            var alarm = alarm
            alarm.resolvedAt = alarm.resolvedAt?.addingTimeInterval(shift)
            return alarm
        }
        for id in memories.keys.sorted() where step.moves("memory:\(id)") {
            guard var memory = memories[id] else { continue }
            memory.instants = memory.instants.map { $0.addingTimeInterval(shift) }
            memory.since = moved(memory.since)
            memories[id] = memory
            effects.append(.saveMemory(memory))
        }
        // A silence set for a length of time keeps its length.
        for id in silences.keys.sorted() where step.moves("silence:\(id)") {
            guard var silence = silences[id] else { continue }
            silence.from = silence.from.addingTimeInterval(shift)
            if silence.fixedEnd != true { silence.until = silence.until.addingTimeInterval(shift) }
            silences[id] = silence
            effects.append(.saveSilence(silence))
        }
        for id in sources.keys.sorted() where step.moves("source:\(id)") {
            guard var source = sources[id] else { continue }
            source.lastSeen = moved(source.lastSeen)
            source.watchedSince = source.watchedSince.addingTimeInterval(shift)
            source.onlineSince = moved(source.onlineSince)
            source.testUntil = moved(source.testUntil)
            source.proofSince = moved(source.proofSince)
            source.chainProvenAt = moved(source.chainProvenAt)
            sources[id] = source
            effects.append(.saveSource(source))
        }
        // Set on the clock before the step while running; at a start, set on the clock as it
        // reads now (the hub was built after the step).
        if step.noticed == .running { resumedAt = moved(resumedAt) }
        return effects
    }
}
