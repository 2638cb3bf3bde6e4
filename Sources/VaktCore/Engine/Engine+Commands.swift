import Foundation

extension Engine {
    /// Applies a person's action. Invalid commands change nothing, are audited as rejected,
    /// and get a reply saying why.
    mutating func handleCommand(_ command: Command, at now: Date) -> [Effect] {
        guard let staff = site.staffMember(command.staff) else {
            return reject(command, "unknown staff id '\(command.staff)'", code: "unknown-staff", at: now)
        }
        if command.action == .reopen { return reopen(command, by: staff, at: now) }
        guard var alarm = openAlarms[command.alarm] else {
            return reject(command, "no open alarm '\(command.alarm)'", code: "no-open-alarm", at: now)
        }
        let actor = "staff:\(staff.id)"
        let wasRaised = alarm.state == .raised
        var effects: [Effect] = []
        var detail: [String: String] = ["request": command.id]

        switch command.action {
        case .acknowledge:
            guard alarm.state == .raised else {
                let by = alarm.acknowledgedBy.map { " by \($0)" } ?? ""
                return reject(
                    command, "alarm \(alarm.id) is already \(alarm.state.rawValue)\(by)",
                    code: "already-\(alarm.state.rawValue)", by: alarm.onsiteBy ?? alarm.acknowledgedBy, at: now)
            }
            acknowledge(&alarm, by: staff.id, at: now, into: &effects)
            effects.append(
                .audit(AuditEntry(at: now, actor: actor, action: .alarmAcknowledged, alarm: alarm.id, detail: detail)))
        case .onsite:
            guard alarm.state == .raised || alarm.state == .acknowledged else {
                return reject(
                    command, "alarm \(alarm.id) is already \(alarm.state.rawValue)",
                    code: "already-\(alarm.state.rawValue)", by: alarm.onsiteBy ?? alarm.acknowledgedBy, at: now)
            }
            if alarm.state == .raised {
                acknowledge(&alarm, by: staff.id, at: now, into: &effects)
                effects.append(
                    .audit(
                        AuditEntry(at: now, actor: actor, action: .alarmAcknowledged, alarm: alarm.id, detail: detail)))
            }
            alarm.state = .onsite
            alarm.onsiteAt = now
            alarm.onsiteBy = staff.id
            effects.append(
                .audit(AuditEntry(at: now, actor: actor, action: .alarmOnsite, alarm: alarm.id, detail: detail)))
        case .resolve:
            guard let code = command.outcome, let outcome = site.outcome(code) else {
                let codes = site.outcomes.map(\.id).joined(separator: ", ")
                return reject(command, "resolve needs an outcome, one of: \(codes)", code: "needs-outcome", at: now)
            }
            if alarm.state == .raised {
                acknowledge(&alarm, by: staff.id, at: now, into: &effects)
                effects.append(
                    .audit(
                        AuditEntry(at: now, actor: actor, action: .alarmAcknowledged, alarm: alarm.id, detail: detail)))
            }
            alarm.state = .resolved
            alarm.resolvedAt = now
            alarm.resolvedBy = staff.id
            alarm.outcome = outcome.id
            alarm.note = command.note
            detail["outcome"] = outcome.id
            if let note = command.note { detail["note"] = note }
            effects.append(
                .audit(AuditEntry(at: now, actor: actor, action: .alarmResolved, alarm: alarm.id, detail: detail)))
        case .reopen:
            return []  // handled above, before the open alarm is looked up
        }

        if alarm.state.isOpen {
            openAlarms[alarm.id] = alarm
        } else {
            closed(alarm)
        }
        // The first answer proves the device's chain, end to end.
        // An alarm raised by an absence or inactivity rule names a device that said nothing:
        // answering it proves no chain.
        // Nor does a reopened alarm: staff, not the device, brought it back.
        if wasRaised, alarm.reopened == nil, ruleIndex.byID[alarm.rule]?.raisesOnEvent ?? true {
            effects += proveChain(alarm, by: staff.id, at: now)
        }
        let verb = command.action == .acknowledge ? "acknowledged" : alarm.state.rawValue
        return [.saveAlarm(alarm)] + effects + [
            .reply(
                CommandReply(id: command.id, staff: staff.id, ok: true, message: "\(alarm.id) \(verb)", alarm: alarm))
        ]
    }

    /// Opens a resolved alarm again: it goes back to its first tier and escalates as if new,
    /// keeping its id, so its whole story stays one timeline.
    private mutating func reopen(_ command: Command, by staff: Staff, at now: Date) -> [Effect] {
        guard var alarm = recentlyResolved.values.first(where: { $0.id == command.alarm }) else {
            let open = openAlarms[command.alarm] != nil
            return reject(
                command,
                open
                    ? "alarm \(command.alarm) is still open"
                    : "alarm \(command.alarm) cannot be reopened: only the latest alarm of its kind for the resident, resolved within the last 24 hours, can",
                code: "not-reopenable", at: now)
        }
        if let newer = openAlarm(key: alarm.dedupKey) {
            return reject(
                command, "alarm \(newer.id) is open for the same thing; answer that one", code: "not-reopenable",
                by: newer.id, at: now)
        }
        recentlyResolved[alarm.dedupKey] = nil
        var detail = ["request": command.id, "previous_outcome": alarm.outcome ?? ""]
        if let note = command.note { detail["note"] = note }
        let effects = reraise(&alarm, actor: "staff:\(staff.id)", detail: detail, at: now)
        return effects + [
            .reply(
                CommandReply(id: command.id, staff: staff.id, ok: true, message: "\(alarm.id) reopened", alarm: alarm))
        ]
    }

    /// Puts an alarm back to raised at its first tier, escalating as if new, with its id and
    /// story kept: staff reopening it, or a new event for an alarm acknowledged long ago.
    mutating func reraise(_ alarm: inout Alarm, actor: String, detail: [String: String], at now: Date) -> [Effect] {
        var effects: [Effect] = []
        if alarm.state == .raised { return [] }
        if alarm.state != .resolved { effects.append(.cancelTimer(id: timerID(alarm))) }
        alarm.state = .raised
        alarm.tier = 0
        alarm.round = 0
        alarm.acknowledgedAt = nil
        alarm.acknowledgedBy = nil
        alarm.onsiteAt = nil
        alarm.onsiteBy = nil
        alarm.resolvedAt = nil
        alarm.resolvedBy = nil
        alarm.outcome = nil
        alarm.note = nil
        alarm.renotifiedAt = nil
        alarm.reopened = (alarm.reopened ?? 0) + 1
        alarm.lastEventAt = now
        noteTier(of: &alarm, at: now)
        opened(alarm)
        effects += [
            .saveAlarm(alarm),
            .audit(
                AuditEntry(
                    at: now, actor: actor, action: .alarmReopened, alarm: alarm.id,
                    detail: detail.merging(["times": String(alarm.reopened ?? 1)]) { _, new in new })),
        ]
        effects += notifyTier(of: alarm, at: now)
        effects += scheduleNextEscalation(of: alarm, at: now)
        effects += skipTierIfNobody(&alarm, at: now)
        return effects
    }

    private func acknowledge(_ alarm: inout Alarm, by staff: String, at now: Date, into effects: inout [Effect]) {
        alarm.state = .acknowledged
        alarm.acknowledgedAt = now
        alarm.acknowledgedBy = staff
        alarm.escalatesAt = nil
        effects.append(.cancelTimer(id: "\(alarm.id):escalate"))
    }

    private func reject(
        _ command: Command, _ reason: String, code: String, by: String? = nil, at now: Date
    ) -> [Effect] {
        Self.refusal(
            staff: command.staff, request: command.id, action: command.action.rawValue, alarm: command.alarm,
            reason: reason, code: code, by: by, at: now)
    }

    /// A staff request refused: audited as `command.rejected` and answered with the reason.
    static func refusal(
        staff: String, request: String, action: String, alarm: String? = nil, reason: String, code: String,
        by: String? = nil, detail: [String: String] = [:], at now: Date
    ) -> [Effect] {
        [
            .audit(
                AuditEntry(
                    at: now, actor: "staff:\(staff)", action: .commandRejected, alarm: alarm, result: "rejected",
                    detail: detail.merging(["action": action, "reason": reason, "request": request]) { _, new in new })),
            .reply(CommandReply(id: request, staff: staff, ok: false, message: reason, code: code, by: by)),
        ]
    }
}
