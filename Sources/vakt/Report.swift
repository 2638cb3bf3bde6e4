import ArgumentParser
import Foundation
import VaktCore
import VaktReports
import VaktStore

/// `vakt report --config DIR [--data DIR] [--from DATE] [--to DATE] [--format md|csv|html]`
struct Report: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case md, csv, html
    }

    static let configuration = CommandConfiguration(
        abstract: "Response times, false alarms, device uptime and chain proof for a period.",
        discussion: """
            Counts care alarms per kind, shift and resident, with time to acknowledge, to \
            staff on site and to resolve (p50, p90, max, nearest-rank) and how many were past \
            the targets (report.acknowledge_within, report.onsite_within; default 2 and 10 \
            minutes). Then a false-alarm ranking per device and resident, device uptime from \
            the audit's online/offline records, technical alarms by kind, and the chain-proof \
            table as it stands now. Chain tests are left out of every statistic and counted \
            on their own.

            Dates are days in the site's time zone and --to includes its day: --from \
            2026-11-01 --to 2026-11-30 is all of November. RFC 3339 times are exact, with \
            --to exclusive. Without --from and --to: last calendar month; with --from \
            alone: up to now; with --to alone: from the start of that month.

            md is Markdown with text sparklines, readable in a terminal; csv is one \
            measurement per line (section,group,metric,value) for spreadsheets; html is one \
            self-contained page with SVG charts.
            """)

    @OptionGroup var location: DataOption

    @Option(help: ArgumentHelp("The first day (or instant) of the period.", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("The last day of the period (or the instant it ends).", valueName: "date"))
    var to: String?

    @Option(help: "md, csv or html.")
    var format: Format = .md

    @Option(
        name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "nb or en (default: the site's language). CSV keys are always English.", valueName: "language"))
    var language: Language?

    func run() throws {
        guard let site = try location.site() else {
            printError(
                "vakt report needs --config DIR: shifts, targets and which rules are technical are in the config")
            throw ExitCode(2)
        }
        let store = try location.openStore(site: site)
        let now = Date()
        let period = try self.period(zone: site.timeZone, now: now)
        guard period.from < period.to else {
            printError("the period is empty: --from must come before --to")
            throw ExitCode(2)
        }
        var availability: [AuditRecord] = []
        try store.forEachAuditRecord(AuditFilter(until: period.to, actions: [.deviceOffline, .deviceOnline])) {
            availability.append($0)
        }
        var report = ResponseReport(
            site: site, period: period, alarms: try store.alarms(raisedFrom: period.from, to: period.to),
            availability: availability, states: try DataOption.sources(in: store), now: now)
        if let language { report.language = language }
        let text: String
        switch format {
        case .md: text = report.markdown()
        case .csv: text = report.csv()
        case .html: text = report.html()
        }
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                printError("cannot write \(output): \(error.localizedDescription)")
                throw ExitCode(1)
            }
            print("report for \(site.name) written to \(output)")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// `[from, to)` from the options; last calendar month by default.
    private func period(zone: TimeZone, now: Date) throws -> ReportPeriod {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let thisMonth = calendar.date(from: calendar.dateComponents([.year, .month], from: now)) ?? now
        let lastMonth = calendar.date(byAdding: .month, value: -1, to: thisMonth) ?? thisMonth
        var end = thisMonth
        if let to {
            if let day = TimeArgument.localMidnight(to, zone: zone) {
                end = calendar.date(byAdding: .day, value: 1, to: day) ?? day
            } else {
                end = try TimeArgument.parse(to, option: "--to", zone: zone) ?? thisMonth
            }
        } else if from != nil {
            end = now
        }
        // --to alone: from the start of the month its last day is in.
        let lastDay = end.addingTimeInterval(-1)
        let defaultStart =
            to == nil
            ? lastMonth : calendar.date(from: calendar.dateComponents([.year, .month], from: lastDay)) ?? lastMonth
        let start = try TimeArgument.parse(from, option: "--from", zone: zone) ?? defaultStart
        return ReportPeriod(from: start, to: end)
    }
}

extension Language: ExpressibleByArgument {}
