import Foundation
import VaktCore

/// One piece of the report, rendered as Markdown or HTML.
enum ReportBlock {
    case heading(Int, String)
    /// Lines of one paragraph.
    case paragraph([String])
    case table([String], [[String]])
    /// A bar chart (SVG in HTML); in Markdown a sparkline followed by `text`.
    case chart(title: String, values: [Int], labels: [String], text: String)
}

/// Shared pieces of the report's renderings.
enum ReportFormat {
    /// `42s`, `1m05s`, `1h02m`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return String(format: "%dh%02dm", total / 3600, total / 60 % 60)
    }

    static func spread(_ spread: Spread?) -> [String] {
        guard let spread else { return ["-", "-", "-"] }
        return [duration(spread.p50), duration(spread.p90), duration(spread.max)]
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }

    static func responseCells(_ stats: ResponseStats) -> [String] {
        [String(stats.alarms), String(stats.acknowledged)] + spread(stats.acknowledge) + spread(stats.onsite)
            + spread(stats.resolve) + [String(stats.lateAcknowledge), String(stats.lateOnsite)]
    }

    /// `▁▂▃▄▅▆▇█` scaled to the largest value; a zero is a space.
    static func sparkline(_ values: [Int]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let top = values.max() ?? 0
        guard top > 0 else { return String(repeating: " ", count: values.count) }
        return String(
            values.map { value in
                value == 0 ? " " : bars[min(bars.count - 1, (value * bars.count - 1) / top)]
            })
    }

    static func day(_ date: Date, zone: TimeZone) -> String {
        String(RFC3339.string(from: date, in: zone).prefix(10))
    }

    static func periodText(_ report: ResponseReport) -> String {
        // The period is [from, to): name the last day it includes.
        report.words.period(
            day(report.period.from, zone: report.zone), day(report.period.to.addingTimeInterval(-1), zone: report.zone),
            report.zone.identifier)
    }
}

extension ResponseReport {
    var words: ReportWords { ReportWords(language: language) }

    /// A row label for a group: kinds by name, shifts in the report's language, residents
    /// with their room.
    func label(_ key: String, section: String) -> String {
        switch section {
        case "kind": kindNames[key].map { "\($0) (\(key))" } ?? key
        case "shift": words.shift(key)
        case "resident":
            residentRooms[key].map { "\(key) (\(language == .norwegianBokmal ? "rom" : "room") \($0))" } ?? key
        default: key
        }
    }

    /// The grouped response tables: title, section key, groups.
    var groupedTables: [(title: String, section: String, groups: [GroupStats])] {
        [(words.byKind, "kind", byKind), (words.byShift, "shift", byShift), (words.byResident, "resident", byResident)]
    }

    func nuisanceCells(_ row: NuisanceRow, section: String) -> [String] {
        [
            label(row.id, section: section), String(row.alarms), String(row.falseAlarms), String(row.accidental),
            ReportFormat.percent(row.rate),
        ]
    }

    func uptimeCells(_ row: UptimeRow) -> [String] {
        [row.id, ReportFormat.percent(row.uptime), ReportFormat.duration(row.offlineSeconds), String(row.outages)]
    }

    var technicalCount: Int { technical.reduce(0) { $0 + $1.count } }

    /// The report as a sequence of blocks, in order: what both renderings show.
    var blocks: [ReportBlock] {
        let words = self.words
        let made = RFC3339.string(from: generatedAt, in: zone)
        var blocks: [ReportBlock] = [
            .heading(1, words.title(siteName)),
            .paragraph([
                ReportFormat.periodText(self) + " " + words.made(made),
                words.targets(
                    ReportFormat.duration(settings.acknowledgeTarget), ReportFormat.duration(settings.onsiteTarget)),
            ]),
            .paragraph([
                words.counts(care: overall.alarms, technical: technicalCount, tests: tests, answered: testsAnswered)
            ]),
            .heading(2, words.responseTimes),
            .table([words.group] + words.responseHeader, [[words.all] + ReportFormat.responseCells(overall)]),
        ]
        for (title, section, groups) in groupedTables where !groups.isEmpty {
            blocks.append(.heading(3, title))
            blocks.append(
                .table(
                    [words.group] + words.responseHeader,
                    groups.map { [label($0.key, section: section)] + ReportFormat.responseCells($0.stats) }))
        }
        blocks += [
            .heading(2, words.timeToAcknowledge),
            .chart(
                title: words.ackChart, values: acknowledgeHistogram, labels: Self.acknowledgeBucketLabels,
                text: zip(Self.acknowledgeBucketLabels, acknowledgeHistogram).map { "\($0) \($1)" }.joined(
                    separator: ", ")),
            .heading(2, words.perHour),
            .chart(
                title: words.hourChart, values: perHour, labels: (0..<24).map { String(format: "%02d", $0) },
                text: words.hoursOfDay + " " + nightHoursText()),
            .heading(2, words.falseAlarms),
        ]
        if nuisanceByDevice.isEmpty {
            blocks.append(.paragraph([words.noCareAlarms]))
        } else {
            blocks.append(
                .table(
                    [words.device] + words.nuisanceHeader, nuisanceByDevice.map { nuisanceCells($0, section: "device") }
                ))
            blocks.append(
                .table(
                    [words.resident] + words.nuisanceHeader,
                    nuisanceByResident.map { nuisanceCells($0, section: "resident") }))
        }
        blocks += [.heading(2, words.uptime), .table(words.uptimeHeader, uptime.map(uptimeCells))]
        if !technical.isEmpty {
            blocks += [
                .heading(2, words.technical),
                .table(words.technicalHeader, technical.map { [label($0.kind, section: "kind"), String($0.count)] }),
            ]
        }
        blocks.append(.heading(2, words.proof(made)))
        if proof.devices.isEmpty {
            blocks.append(.paragraph([words.noDevices]))
        } else {
            blocks.append(.table(words.deviceProofHeader, proof.devices.map { $0.row(zone: zone, language: language) }))
            if !proof.residents.isEmpty {
                blocks.append(
                    .table(words.residentProofHeader, proof.residents.map { $0.row(zone: zone, language: language) }))
            }
        }
        return blocks
    }

    /// Markdown, readable as it is in a terminal: tables, and charts as text sparklines.
    public func markdown() -> String {
        var out: [String] = []
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                out.append(String(repeating: "#", count: level) + " " + text)
            case .paragraph(let lines):
                out += lines
            case .table(let header, let rows):
                out.append("| " + header.joined(separator: " | ") + " |")
                out.append("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
                for row in rows { out.append("| " + row.joined(separator: " | ") + " |") }
            case .chart(_, let values, _, let text):
                out.append("`" + ReportFormat.sparkline(values) + "` " + text)
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// Night hours as the night shift has them, e.g. `22-06: ▁▃█ 1 3 8 ...`.
    func nightHoursText() -> String {
        guard let night = settings.shifts.first(where: { $0.id == "night" }) ?? settings.shifts.last else { return "" }
        let hours = Self.hours(of: night)
        let counts = hours.map { perHour[$0] }
        return String(format: "%02d-%02d: ", hours.first ?? 0, hours.last ?? 0) + "`" + ReportFormat.sparkline(counts)
            + "` " + counts.map(String.init).joined(separator: " ")
    }

    /// The local hours a shift covers, in order from its start.
    static func hours(of shift: Shift) -> [Int] {
        let first = shift.start / 60
        return Array((0..<24).map { (first + $0) % 24 }.prefix { $0 == first || shift.contains(minute: $0 * 60) })
    }

    /// Tidy CSV (RFC 4180, CRLF): one measurement per line, `section,group,metric,value`;
    /// durations in seconds, shares as fractions.
    public func csv() -> String {
        var lines = ["section,group,metric,value"]
        func add(_ section: String, _ group: String, _ metric: String, _ value: String) {
            let field = { (text: String) in
                text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
            }
            lines.append([section, group, metric, value].map(field).joined(separator: ","))
        }
        func addStats(_ section: String, _ group: String, _ stats: ResponseStats) {
            add(section, group, "alarms", String(stats.alarms))
            add(section, group, "acknowledged", String(stats.acknowledged))
            for (name, spread) in [("ack", stats.acknowledge), ("onsite", stats.onsite), ("resolve", stats.resolve)] {
                guard let spread else { continue }
                add(section, group, "\(name)_p50_s", String(format: "%.3f", spread.p50))
                add(section, group, "\(name)_p90_s", String(format: "%.3f", spread.p90))
                add(section, group, "\(name)_max_s", String(format: "%.3f", spread.max))
            }
            add(section, group, "late_ack", String(stats.lateAcknowledge))
            add(section, group, "late_onsite", String(stats.lateOnsite))
        }
        add("period", "all", "from", RFC3339.string(from: period.from, in: zone))
        add("period", "all", "to", RFC3339.string(from: period.to, in: zone))
        add("tests", "all", "raised", String(tests))
        add("tests", "all", "answered", String(testsAnswered))
        addStats("overall", "all", overall)
        for group in byKind { addStats("kind", group.key, group.stats) }
        for group in byShift { addStats("shift", group.key, group.stats) }
        for group in byResident { addStats("resident", group.key, group.stats) }
        for (index, count) in acknowledgeHistogram.enumerated() {
            add("ack_histogram", Self.acknowledgeBucketLabels[index], "alarms", String(count))
        }
        for (hour, count) in perHour.enumerated() {
            add("per_hour", String(format: "%02d", hour), "alarms", String(count))
        }
        for (section, rows) in [
            ("false_alarms_device", nuisanceByDevice), ("false_alarms_resident", nuisanceByResident),
        ] {
            for row in rows {
                add(section, row.id, "alarms", String(row.alarms))
                add(section, row.id, "false", String(row.falseAlarms))
                add(section, row.id, "accidental", String(row.accidental))
                add(section, row.id, "rate", String(format: "%.4f", row.rate))
            }
        }
        for row in uptime {
            add("uptime", row.id, "uptime", String(format: "%.6f", row.uptime))
            add("uptime", row.id, "offline_s", String(format: "%.3f", row.offlineSeconds))
            add("uptime", row.id, "outages", String(row.outages))
        }
        for item in technical { add("technical", item.kind, "alarms", String(item.count)) }
        for device in proof.devices {
            add(
                "proof", device.id, "chain_proven_at",
                device.state?.chainProvenAt.map { RFC3339.string(from: $0, in: zone) } ?? "")
            add("proof", device.id, "expired", device.expired ? "true" : "false")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
