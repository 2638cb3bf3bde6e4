import VaktCore

extension SiteReader {
    /// `audit: {checkpoint_file, checkpoint_every, retention, event_retention, pseudonym_key_file}`.
    /// Absent: checkpoints in the data directory every 5 minutes, everything kept for ever.
    func readAudit() -> AuditSettings {
        var settings = AuditSettings()
        guard let value = sections["audit"],
            let fields = value.fields(
                allowed: ["checkpoint_file", "checkpoint_every", "retention", "event_retention", "pseudonym_key_file"],
                diagnostics)
        else { return settings }
        settings.checkpointFile = fields.string("checkpoint_file", diagnostics).map {
            PathJoin.resolve($0, against: directory)
        }
        if let item = fields["checkpoint_every"], let seconds = item.positiveDuration(diagnostics) {
            settings.checkpointInterval = seconds
        }
        settings.retention = fields["retention"].flatMap { $0.positiveDuration(diagnostics) }
        settings.eventRetention = fields["event_retention"].flatMap { $0.positiveDuration(diagnostics) }
        if let retention = settings.retention, retention < 86_400, let item = fields["retention"] {
            diagnostics.report("audit.retention: keep the legal record at least a day (1d)", at: item.position)
        }
        settings.pseudonymKeyFile = fields.string("pseudonym_key_file", diagnostics).map {
            PathJoin.resolve($0, against: directory)
        }
        return settings
    }

    /// `report: {shifts: [{id, start, end}], acknowledge_within, onsite_within}`. Absent: day
    /// 07:00-15:00, evening 15:00-22:00, night 22:00-07:00; targets 2 and 10 minutes.
    func readReport() -> ReportSettings {
        var settings = ReportSettings()
        guard let value = sections["report"],
            let fields = value.fields(allowed: ["shifts", "acknowledge_within", "onsite_within"], diagnostics)
        else { return settings }
        if let item = fields["acknowledge_within"], let seconds = item.positiveDuration(diagnostics) {
            settings.acknowledgeTarget = seconds
        }
        if let item = fields["onsite_within"], let seconds = item.positiveDuration(diagnostics) {
            settings.onsiteTarget = seconds
        }
        if fields["shifts"] != nil {
            let shifts = fields.sequence("shifts", diagnostics).compactMap(readShift)
            if !shifts.isEmpty { settings.shifts = shifts }
            checkCoverage(shifts, at: fields["shifts"])
        }
        return settings
    }

    private func readShift(_ value: YAMLValue) -> Shift? {
        guard
            let fields = value.fields(allowed: ["id", "start", "end"], required: ["id", "start", "end"], diagnostics),
            let id = fields.string("id", diagnostics)
        else { return nil }
        guard let start = fields["start"].flatMap(timeOfDay), let end = fields["end"].flatMap(timeOfDay) else {
            return nil
        }
        return Shift(id: id, start: start, end: end)
    }

    /// `HH:MM` (24-hour) as minutes after midnight; reported otherwise.
    func timeOfDay(_ value: YAMLValue) -> Int? {
        guard let text = value.string(diagnostics) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0..<24).contains(hour), (0..<60).contains(minute)
        {
            return hour * 60 + minute
        }
        diagnostics.report(
            "\(value.path): bad time of day '\(text)'; write HH:MM, e.g. 07:00 or 22:30", at: value.position)
        return nil
    }

    /// Every minute of the day must belong to a shift, or reports would drop alarms.
    private func checkCoverage(_ shifts: [Shift], at value: YAMLValue?) {
        guard let value, !shifts.isEmpty else { return }
        if let minute = (0..<1440).first(where: { minute in !shifts.contains { $0.contains(minute: minute) } }) {
            let time = String(format: "%02d:%02d", minute / 60, minute % 60)
            diagnostics.report(
                "\(value.path): no shift covers \(time); the shifts must cover the whole day", at: value.position)
        }
    }
}
