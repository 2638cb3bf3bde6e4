import Foundation

extension Engine {
    /// Sets or ends a silence. Only staff whose role the site allows may; a refusal is audited
    /// and answered like any other.
    mutating func handleSilence(_ request: SilenceRequest, at now: Date) -> [Effect] {
        let action: String
        switch request.change {
        case .start: action = "silence"
        case .end: action = "unsilence"
        }
        let refuse = { (reason: String, code: String) -> [Effect] in
            Self.refusal(
                staff: request.staff, request: request.id, action: action, reason: reason, code: code, at: now)
        }
        guard let staff = site.staffMember(request.staff) else {
            return refuse("unknown staff id '\(request.staff)'", "unknown-staff")
        }
        // Ending a silence only makes the hub listen again: any member of staff may (a
        // resident home from hospital at night). Setting one is for the roles allowed.
        if case .start = request.change, !site.silencing.roles.contains(staff.role) {
            let roles = site.silencing.roles.map(\.rawValue).joined(separator: ", ")
            return refuse(
                "\(staff.id) (\(staff.role.rawValue)) may not set silences; allowed roles: \(roles)",
                "role-not-allowed")
        }
        switch request.change {
        case .end(let id):
            guard silences[id] != nil else { return refuse("no silence '\(id)'", "no-silence") }
            return endSilence(id, actor: "staff:\(staff.id)", reason: "ended by staff", request: request.id, at: now)
        case .start(let resident, let room, let kinds, let until, let seconds, let reason):
            if let resident {
                guard let person = site.resident(resident) else {
                    return refuse("unknown resident '\(resident)'", "unknown-resident")
                }
                // Alarms from a shared room cannot be told apart by resident: silencing one
                // would silence the other.
                let others = site.residents.filter { $0.room == person.room && $0.id != resident }.map(\.id)
                if !others.isEmpty {
                    return refuse(
                        "room \(person.room) is shared with \(others.joined(separator: ", ")): their alarms cannot be told apart, so \(resident) cannot be silenced alone",
                        "shared-room")
                }
            }
            if let room, site.room(room) == nil { return refuse("unknown room '\(room)'", "unknown-room") }
            let end = until ?? now.addingTimeInterval(seconds ?? 0)
            guard end > now else { return refuse("the silence would end before it starts", "bad-period") }
            guard end.timeIntervalSince(now) <= site.silencing.maxSeconds else {
                let days = Int(site.silencing.maxSeconds / 86400)
                return refuse("a silence may last at most \(days) days", "too-long")
            }
            if let kinds, let never = kinds.first(where: site.silencing.never.contains) {
                return refuse("\(never) alarms are never silenced at this site", "never-silenced")
            }
            // A misspelt kind would silence nothing while staff believe it silenced.
            let known = Set(site.rules.filter { !$0.isTechnical }.map(\.alarm))
            if let kinds, let unknown = kinds.first(where: { !known.contains($0) }) {
                return refuse(
                    "no care rule raises '\(unknown)'; kinds: \(known.sorted().joined(separator: ", "))", "unknown-kind"
                )
            }
            var id = "S\(Int(now.timeIntervalSince1970))"
            var suffix = 1
            while silences[id] != nil {
                suffix += 1
                id = "S\(Int(now.timeIntervalSince1970))-\(suffix)"
            }
            let silence = Silence(
                id: id, resident: resident, room: room, kinds: kinds, from: now, until: end, by: staff.id,
                reason: reason, fixedEnd: until == nil ? nil : true)
            silences[id] = silence
            var detail = [
                "silence": id, "until": RFC3339.string(from: end, in: site.timeZone), "reason": reason,
                "request": request.id,
            ]
            if let resident { detail["resident"] = resident }
            if let room { detail["room"] = room }
            if let kinds { detail["kinds"] = kinds.joined(separator: ",") }
            let open = openAlarms.values.filter {
                silence.covers(kind: $0.kind, resident: $0.resident, room: $0.room, at: now)
            }
            if !open.isEmpty {
                // Alarms already open stay open: somebody must still answer them.
                detail["open_alarms_kept"] = open.map(\.id).sorted().joined(separator: ",")
            }
            return [
                .saveSilence(silence),
                .schedule(ScheduledTimer(id: "silence:\(id)", alarm: id, purpose: .silenceEnd, due: end)),
                .audit(AuditEntry(at: now, actor: "staff:\(staff.id)", action: .silenceStarted, detail: detail)),
                .reply(
                    CommandReply(
                        id: request.id, staff: staff.id, ok: true,
                        message:
                            "\(id): \(silence.subject) silenced until \(RFC3339.string(from: end, in: site.timeZone))")),
            ]
        }
    }

    /// Ends a silence: run out (`actor` is the hub) or ended by staff.
    mutating func endSilence(_ id: String, actor: String, reason: String, request: String? = nil, at now: Date)
        -> [Effect]
    {
        guard let silence = silences[id] else { return [] }
        silences[id] = nil
        var effects: [Effect] = [
            .endSilence(id: id),
            .audit(
                AuditEntry(
                    at: now, actor: actor, action: .silenceEnded,
                    detail: ["silence": id, "subject": silence.subject, "reason": reason])),
        ]
        if let request {
            effects.append(.cancelTimer(id: "silence:\(id)"))
            effects.append(
                .reply(
                    CommandReply(
                        id: request, staff: String(actor.dropFirst("staff:".count)), ok: true,
                        message: "\(id) ended: \(silence.subject) is watched again")))
        }
        return effects
    }
}
