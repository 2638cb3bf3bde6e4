import Foundation

/// A wall-clock step (NTP correcting a clock that was off, an operator setting the time).
///
/// Every deadline the hub keeps is a wall-clock instant: escalation timers, the end of test
/// mode, notification retries, and device silence and proof age counted from wall-clock
/// instants. Left alone, a clock stepped back an hour would hold every escalation back an
/// hour, and one stepped ahead would make every device look an hour silent. So the step moves
/// them all by as much: each deadline comes after the time it was meant to wait, and silence
/// is measured as time that really passed. The audit's own records keep the instants they
/// were written with; the `clock.jumped` record explains the seam.
extension Engine {
    mutating func handleClockStep(_ seconds: Double, at now: Date) -> [Effect] {
        func shifted(_ date: Date?) -> Date? { date?.addingTimeInterval(seconds) }
        var effects: [Effect] = [
            .audit(
                AuditEntry(
                    at: now, actor: "hub", action: .clockJumped,
                    detail: [
                        "wall_step_seconds": String(Int(seconds.rounded())),
                        "from": RFC3339.string(from: now.addingTimeInterval(-seconds), in: site.timeZone),
                        "to": RFC3339.string(from: now, in: site.timeZone),
                    ])),
            .shiftDeadlines(seconds: seconds),
        ]
        resumedAt = shifted(resumedAt)
        for id in sources.keys.sorted() {
            guard var state = sources[id] else { continue }
            state.lastSeen = shifted(state.lastSeen)
            state.watchedSince = state.watchedSince.addingTimeInterval(seconds)
            state.onlineSince = shifted(state.onlineSince)
            state.lastRejectionAt = shifted(state.lastRejectionAt)
            state.chainProvenAt = shifted(state.chainProvenAt)
            state.testUntil = shifted(state.testUntil)
            state.proofSince = shifted(state.proofSince)
            sources[id] = state
            effects.append(.saveSource(state))
        }
        for id in openAlarms.keys.sorted(by: { (Int($0.dropFirst()) ?? 0) < (Int($1.dropFirst()) ?? 0) }) {
            guard var alarm = openAlarms[id] else { continue }
            alarm.raisedAt = alarm.raisedAt.addingTimeInterval(seconds)
            alarm.lastEventAt = alarm.lastEventAt.addingTimeInterval(seconds)
            alarm.acknowledgedAt = shifted(alarm.acknowledgedAt)
            alarm.onsiteAt = shifted(alarm.onsiteAt)
            alarm.escalatesAt = shifted(alarm.escalatesAt)
            openAlarms[id] = alarm
            effects.append(.saveAlarm(alarm))
        }
        return effects
    }
}
