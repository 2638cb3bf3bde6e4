import Foundation
import Testing
import VaktConfig
import VaktCore
import VaktStore
import VaktTesting

@testable import VaktReports

/// A month of alarms generated with a fixed seed, stored in a real SQLite store, reported on,
/// and checked against numbers this file computes its own way.
@Suite("Response report over a generated month")
struct ResponseReportTests {
    static let zone = TimeZone(identifier: "Europe/Oslo")!
    /// March 2026 in Oslo: 31 days less the hour summer time takes on the 29th.
    static let from = Date(timeIntervalSince1970: 1_772_319_600)  // 2026-03-01T00:00:00+01:00
    static let to = Date(timeIntervalSince1970: 1_774_994_400)  // 2026-04-01T00:00:00+02:00
    static let now = to.addingTimeInterval(86_400)

    struct Month {
        var site: Site
        var alarms: [Alarm]
        var report: ResponseReport
    }

    /// Generates the month, stores it, and builds the report from the store.
    static func month() throws -> (Month, TemporaryDirectory) {
        let site = try SiteLoader.load(directory: RepositoryPaths.demoConfig.path)
        var random = SplitMix64(seed: 0x4D41_5243)
        let rooms = site.residents.map { ($0.id, $0.room) }
        let outcomes: [Outcome] = [.assisted, .assisted, .falseAlarm, .accidental, .escalatedMedical]
        var alarms: [Alarm] = []
        for number in 1...400 {
            let (resident, room) = rooms[Int.random(in: 0..<rooms.count, using: &random)]
            let roll = Int.random(in: 0..<100, using: &random)
            let (kind, rule, device) =
                roll < 10
                ? ("device-offline", "device-offline", "room\(room)-fall")
                : roll < 55 ? ("fall", "fall", "room\(room)-fall") : ("sos", "sos", "room\(room)-sos")
            // A few just outside the month, to be left out.
            let offset = Double.random(in: -3600..<(to.timeIntervalSince(from) + 3600), using: &random)
            var alarm = Alarm(
                id: "A\(number)", kind: kind, severity: .high, resident: resident, room: room, device: device,
                rule: rule, policy: "standard", raisedAt: from.addingTimeInterval(offset.rounded()))
            if Int.random(in: 0..<100, using: &random) < 8 { alarm.test = true }
            if Int.random(in: 0..<100, using: &random) < 90 {
                let ack = alarm.raisedAt.addingTimeInterval(Double(Int.random(in: 5...900, using: &random)))
                alarm.acknowledgedAt = ack
                alarm.state = .acknowledged
                var last = ack
                if Int.random(in: 0..<100, using: &random) < 70 {
                    last = ack.addingTimeInterval(Double(Int.random(in: 10...1200, using: &random)))
                    alarm.onsiteAt = last
                }
                if Int.random(in: 0..<100, using: &random) < 85 {
                    alarm.resolvedAt = last.addingTimeInterval(Double(Int.random(in: 60...3600, using: &random)))
                    alarm.state = .resolved
                    alarm.outcome = outcomes[Int.random(in: 0..<outcomes.count, using: &random)].rawValue
                }
            }
            alarms.append(alarm)
        }
        let directory = try TemporaryDirectory()
        let store = try Store(directory: directory.path)
        _ = try store.commit(event: nil) { alarms.map { .saveAlarm($0) } }
        // Availability: room101-fall offline a whole day inside the month; room102-fall offline
        // since before the month until 06:00 on the 1st (a second offline record in between
        // says nothing new); room103-sos offline for the month's last hour and not back.
        let day: Double = 86_400
        let availability: [(Double, String, AuditAction, String)] = [
            (-day, "room102-fall", .deviceOffline, "device.offline"),
            (3 * 3600, "room102-fall", .deviceOffline, "device.silent"),
            (6 * 3600, "room102-fall", .deviceOnline, "device.online"),
            (2 * day + 12 * 3600, "room101-fall", .deviceOffline, "device.offline"),
            (3 * day + 12 * 3600, "room101-fall", .deviceOnline, "device.online"),
            (to.timeIntervalSince(from) - 3600, "room103-sos", .deviceOffline, "device.silent"),
        ]
        _ = try store.commit(event: nil) {
            availability.map { offset, source, action, event in
                .audit(
                    AuditEntry(
                        at: from.addingTimeInterval(offset), actor: "hub", action: action,
                        detail: ["source": source, "event": event]))
            }
        }
        var records: [AuditRecord] = []
        try store.forEachAuditRecord(AuditFilter(until: to, actions: [.deviceOffline, .deviceOnline])) {
            records.append($0)
        }
        let report = ResponseReport(
            site: site, period: ReportPeriod(from: from, to: to), alarms: try store.alarms(raisedFrom: from, to: to),
            availability: records, states: [:], now: now)
        return (Month(site: site, alarms: alarms, report: report), directory)
    }

    // MARK: - Independent arithmetic

    /// Nearest rank, in integers: rank ⌈p·n/100⌉.
    static func percentile(_ values: [Double], _ p: Int) -> Double {
        let sorted = values.sorted()
        let rank = (p * sorted.count + 99) / 100
        return sorted[max(rank, 1) - 1]
    }

    /// Minutes after local midnight, from the zone's offset at that instant.
    static func localMinute(_ date: Date) -> Int {
        let seconds = Int(date.timeIntervalSince1970) + zone.secondsFromGMT(for: date)
        return ((seconds % 86_400) + 86_400) % 86_400 / 60
    }

    static func careAlarms(_ month: Month) -> [Alarm] {
        month.alarms.filter { $0.raisedAt >= from && $0.raisedAt < to && !$0.isTest && $0.rule != "device-offline" }
    }

    static func check(_ stats: ResponseStats, against alarms: [Alarm]) {
        #expect(stats.alarms == alarms.count)
        let acks = alarms.compactMap { a in a.acknowledgedAt.map { $0.timeIntervalSince(a.raisedAt) } }
        #expect(stats.acknowledged == acks.count)
        #expect(stats.acknowledge?.p50 == (acks.isEmpty ? nil : percentile(acks, 50)))
        #expect(stats.acknowledge?.p90 == (acks.isEmpty ? nil : percentile(acks, 90)))
        #expect(stats.acknowledge?.max == acks.max())
        let onsites = alarms.compactMap { a in a.onsiteAt.map { $0.timeIntervalSince(a.raisedAt) } }
        #expect(stats.onsite?.p90 == (onsites.isEmpty ? nil : percentile(onsites, 90)))
        let resolves = alarms.compactMap { a in a.resolvedAt.map { $0.timeIntervalSince(a.raisedAt) } }
        #expect(stats.resolve?.p50 == (resolves.isEmpty ? nil : percentile(resolves, 50)))
        var late = 0
        for alarm in alarms {
            let answered = alarm.acknowledgedAt ?? alarm.resolvedAt ?? now
            if answered.timeIntervalSince(alarm.raisedAt) > 120 { late += 1 }
        }
        #expect(stats.lateAcknowledge == late)
        #expect(stats.lateOnsite == onsites.filter { $0 > 600 }.count)
    }

    // MARK: - Tests

    @Test("counts and response times overall, per kind, per shift and per resident")
    func responseTimes() throws {
        let (month, directory) = try Self.month()
        defer { directory.remove() }
        let care = Self.careAlarms(month)
        #expect(care.count > 250)
        Self.check(month.report.overall, against: care)
        #expect(month.report.byKind.map(\.key) == ["fall", "sos"])
        for group in month.report.byKind { Self.check(group.stats, against: care.filter { $0.kind == group.key }) }
        for group in month.report.byResident {
            Self.check(group.stats, against: care.filter { $0.resident == group.key })
        }
        #expect(month.report.byShift.map(\.key) == ["day", "evening", "night"])
        let shiftOf = { (alarm: Alarm) -> String in
            let minute = Self.localMinute(alarm.raisedAt)
            return minute >= 22 * 60 || minute < 7 * 60 ? "night" : minute >= 15 * 60 ? "evening" : "day"
        }
        for group in month.report.byShift { Self.check(group.stats, against: care.filter { shiftOf($0) == group.key }) }
        #expect(month.report.byShift.reduce(0) { $0 + $1.stats.alarms } == care.count)
    }

    @Test("chain tests are left out of every statistic and counted on their own")
    func testsLeftOut() throws {
        let (month, directory) = try Self.month()
        defer { directory.remove() }
        let tests = month.alarms.filter { $0.raisedAt >= Self.from && $0.raisedAt < Self.to && $0.isTest }
        #expect(!tests.isEmpty)
        #expect(month.report.tests == tests.count)
        #expect(month.report.testsAnswered == tests.filter { $0.acknowledgedAt != nil }.count)
        let counted = month.report.byResident.reduce(0) { $0 + $1.stats.alarms }
        #expect(counted == Self.careAlarms(month).count)
        #expect(month.report.perHour.reduce(0, +) == Self.careAlarms(month).count)
        let technical = month.alarms.filter {
            $0.raisedAt >= Self.from && $0.raisedAt < Self.to && !$0.isTest && $0.rule == "device-offline"
        }
        #expect(month.report.technical.map(\.count) == [technical.count])
    }

    @Test("histogram, alarms per local hour across the DST change, false-alarm ranking")
    func chartsAndNuisance() throws {
        let (month, directory) = try Self.month()
        defer { directory.remove() }
        let care = Self.careAlarms(month)
        var hours = Array(repeating: 0, count: 24)
        for alarm in care { hours[Self.localMinute(alarm.raisedAt) / 60] += 1 }
        #expect(month.report.perHour == hours)
        let bounds: [Double] = [30, 60, 120, 300, 600]
        var buckets = Array(repeating: 0, count: 6)
        for alarm in care {
            guard let ack = alarm.acknowledgedAt?.timeIntervalSince(alarm.raisedAt) else { continue }
            buckets[bounds.filter { ack >= $0 }.count] += 1
        }
        #expect(month.report.acknowledgeHistogram == buckets)
        for row in month.report.nuisanceByDevice {
            let mine = care.filter { $0.device == row.id }
            #expect(row.alarms == mine.count)
            #expect(row.falseAlarms == mine.filter { $0.outcome == "false-alarm" }.count)
            #expect(row.accidental == mine.filter { $0.outcome == "accidental" }.count)
        }
        let rates = month.report.nuisanceByDevice.map(\.rate)
        #expect(rates == rates.sorted(by: >))
    }

    @Test("device uptime from the audit's offline and online records")
    func uptime() throws {
        let (month, directory) = try Self.month()
        defer { directory.remove() }
        let length = Self.to.timeIntervalSince(Self.from)
        #expect(length == 31 * 86_400 - 3600)
        let rows = Dictionary(uniqueKeysWithValues: month.report.uptime.map { ($0.id, $0) })
        func near(_ value: Double?, _ expected: Double) -> Bool { value.map { abs($0 - expected) < 0.01 } ?? false }
        #expect(near(rows["room101-fall"]?.offlineSeconds, 86_400))
        #expect(rows["room101-fall"]?.outages == 1)
        #expect(near(rows["room102-fall"]?.offlineSeconds, 6 * 3600))
        #expect(rows["room102-fall"]?.outages == 0)
        #expect(near(rows["room103-sos"]?.offlineSeconds, 3600))
        #expect(rows["room101-sos"]?.uptime == 1)
        #expect(near(rows["room101-fall"]?.uptime, 1 - 86_400 / length))
        #expect(month.report.uptime.first?.id == "room101-fall")
        #expect(month.site.devices.allSatisfy { rows[$0.id] != nil })
    }

    @Test("Markdown, CSV and HTML say the same numbers")
    func renderings() throws {
        let (month, directory) = try Self.month()
        defer { directory.remove() }
        var report = month.report
        // The demo site speaks Norwegian.
        let norsk = report.markdown()
        #expect(norsk.contains("# Responsrapport: Marker bo- og servicesenter (demo)"))
        #expect(norsk.contains("Periode: 2026-03-01 til 2026-03-31 (Europe/Oslo)"))
        #expect(norsk.contains("Omsorgsalarmer: \(report.overall.alarms)."))
        #expect(norsk.contains("| natt |"))
        #expect(norsk.contains("(rom 101)"))
        // The proof table speaks the report's language too (no device in this store is proven).
        #expect(norsk.contains("| aldri |") && !norsk.contains("| never |"))
        report.language = .english
        let markdown = report.markdown()
        #expect(markdown.contains("Period: 2026-03-01 to 2026-03-31 (Europe/Oslo)"))
        #expect(markdown.contains("Care alarms: \(report.overall.alarms)."))
        #expect(markdown.contains("Chain tests (left out of all statistics): \(report.tests)"))
        #expect(markdown.contains("`" + ReportFormat.sparkline(report.perHour) + "`"))
        #expect(markdown.contains("## Proof of the alarm chain"))
        #expect(markdown.contains("| night |"))
        #expect(markdown.contains("(room 101)"))
        #expect(markdown.contains("| never |"))
        let csv = report.csv()
        #expect(csv.hasPrefix("section,group,metric,value\r\n"))
        #expect(csv.contains("overall,all,alarms,\(report.overall.alarms)\r\n"))
        #expect(csv.contains(String(format: "overall,all,ack_p90_s,%.3f\r\n", report.overall.acknowledge!.p90)))
        #expect(csv.contains("uptime,room101-fall,outages,1\r\n"))
        let html = report.html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count == 3)
        #expect(html.contains("<td>\(report.overall.alarms)</td>"))
        #expect(!html.contains("<script"))
    }

    @Test("spreads, sparklines and shifts on their own")
    func pieces() {
        #expect(Spread([]) == nil)
        #expect(Spread([7]) == Spread(p50: 7, p90: 7, max: 7))
        #expect(Spread([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == Spread(p50: 5, p90: 9, max: 10))
        #expect(ReportFormat.sparkline([0, 1, 8]) == " ▁█")
        #expect(ReportFormat.sparkline([0, 0]) == "  ")
        #expect(ReportFormat.duration(42) == "42s")
        #expect(ReportFormat.duration(65) == "1m05s")
        #expect(ReportFormat.duration(3720) == "1h02m")
        let night = Shift(id: "night", start: 22 * 60, end: 7 * 60)
        #expect(night.contains(minute: 23 * 60) && night.contains(minute: 0) && !night.contains(minute: 7 * 60))
        #expect(ResponseReport.hours(of: night) == [22, 23, 0, 1, 2, 3, 4, 5, 6])
        #expect(
            ResponseReport.hours(of: Shift(id: "late", start: 22 * 60 + 30, end: 7 * 60 + 30)) == [
                22, 23, 0, 1, 2, 3, 4, 5, 6, 7,
            ])
    }
}
