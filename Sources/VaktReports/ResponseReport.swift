import Foundation
import VaktCore
import VaktStore

/// The period a report covers: `[from, to)`.
public struct ReportPeriod: Sendable, Equatable {
    public var from: Date
    public var to: Date

    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    public var seconds: Double { to.timeIntervalSince(from) }
}

/// p50, p90 and max of a set of durations, in seconds.
///
/// Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
/// ⌈p/100 · n⌉ (1-based), so it is always a time that really happened.
public struct Spread: Sendable, Equatable {
    public var p50: Double
    public var p90: Double
    public var max: Double

    public init(p50: Double, p90: Double, max: Double) {
        self.p50 = p50
        self.p90 = p90
        self.max = max
    }

    /// `nil` for no values.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double {
            sorted[Swift.max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
        }
        self.init(p50: rank(50), p90: rank(90), max: sorted[sorted.count - 1])
    }
}

/// Response times of a group of care alarms.
public struct ResponseStats: Sendable, Equatable {
    public var alarms = 0
    public var acknowledged = 0
    /// Raised to acknowledged.
    public var acknowledge: Spread?
    /// Raised to staff on site.
    public var onsite: Spread?
    /// Raised to resolved.
    public var resolve: Spread?
    /// Acknowledged later than the target, or not at all though the target has passed.
    public var lateAcknowledge = 0
    /// Staff on site later than the target (alarms with a recorded presence only).
    public var lateOnsite = 0

    public init() {}

    init(_ alarms: [Alarm], settings: ReportSettings, end: Date) {
        self.alarms = alarms.count
        let acks = alarms.compactMap { alarm in alarm.acknowledgedAt.map { $0.timeIntervalSince(alarm.raisedAt) } }
        acknowledged = acks.count
        acknowledge = Spread(acks)
        let onsites = alarms.compactMap { alarm in alarm.onsiteAt.map { $0.timeIntervalSince(alarm.raisedAt) } }
        onsite = Spread(onsites)
        resolve = Spread(alarms.compactMap { alarm in alarm.resolvedAt.map { $0.timeIntervalSince(alarm.raisedAt) } })
        lateAcknowledge =
            alarms.filter { alarm in
                let waited = (alarm.acknowledgedAt ?? alarm.resolvedAt ?? end).timeIntervalSince(alarm.raisedAt)
                return waited > settings.acknowledgeTarget
            }.count
        lateOnsite = onsites.filter { $0 > settings.onsiteTarget }.count
    }
}

/// One line of a grouped table: a kind, a shift or a resident.
public struct GroupStats: Sendable, Equatable {
    public var key: String
    public var stats: ResponseStats
}

/// How often a device's or resident's alarms were not real: the nuisance ranking.
public struct NuisanceRow: Sendable, Equatable {
    public var id: String
    public var alarms: Int
    /// Resolved with an outcome the site counts as a false alarm (`false-alarm`).
    public var falseAlarms: Int
    /// Resolved with an outcome the site counts as an accident (`accidental`).
    public var accidental: Int

    /// False and accidental alarms as a share of all.
    public var rate: Double { alarms == 0 ? 0 : Double(falseAlarms + accidental) / Double(alarms) }
}

/// How much of the period a device or bridge was online.
public struct UptimeRow: Sendable, Equatable {
    public var id: String
    /// Seconds offline or silent within the period.
    public var offlineSeconds: Double
    /// Times it went offline or silent within the period.
    public var outages: Int
    /// Share of the period online, 0...1.
    public var uptime: Double
}

/// The response-time report for a period: counts and times per alarm kind, shift and
/// resident; false alarms; device uptime; charts; and the chain-proof table.
///
/// Care statistics count care alarms only: chain tests (`test: true`) are left out of
/// everything but their own count, and technical alarms (device faults) are counted by kind
/// on their own.
public struct ResponseReport: Sendable {
    public var siteName: String
    public var zone: TimeZone
    /// The language of the Markdown and HTML (the site's unless changed); CSV keys stay English.
    public var language: Language
    /// Residents' rooms and alarm kinds' names, to label rows for people.
    var residentRooms: [String: String]
    var kindNames: [String: String]
    public var period: ReportPeriod
    public var generatedAt: Date
    public var settings: ReportSettings

    public var overall: ResponseStats
    public var byKind: [GroupStats]
    public var byShift: [GroupStats]
    public var byResident: [GroupStats]
    /// Technical alarms (device faults) by kind.
    public var technical: [(kind: String, count: Int)]
    /// Chain tests raised in the period, and how many were answered.
    public var tests: Int
    public var testsAnswered: Int
    public var nuisanceByDevice: [NuisanceRow]
    public var nuisanceByResident: [NuisanceRow]
    public var uptime: [UptimeRow]
    /// Care alarms acknowledged within each bucket of ``acknowledgeBuckets``.
    public var acknowledgeHistogram: [Int]
    /// Care alarms raised in each local hour of the day, 00 to 23.
    public var perHour: [Int]
    public var proof: ProofTable

    /// Upper bounds of the time-to-acknowledge histogram's buckets, in seconds; the last
    /// bucket is everything above the last bound.
    public static let acknowledgeBuckets: [Double] = [30, 60, 120, 300, 600]

    /// Labels of the histogram's buckets.
    public static let acknowledgeBucketLabels = ["<30s", "30s-1m", "1-2m", "2-5m", "5-10m", ">10m"]

    /// Builds the report.
    ///
    /// - Parameters:
    ///   - alarms: Alarms raised in the period (``Store/alarms(raisedFrom:to:)``).
    ///   - availability: `device.offline` and `device.online` records up to the period's end,
    ///     earlier ones included (they say what state a device was in when the period began).
    ///   - states: Stored device health, for the proof table.
    ///   - now: When the report is made: unanswered alarms count as waiting until then; uptime
    ///     is counted up to then or the period's end, whichever is earlier.
    public init(
        site: Site, period: ReportPeriod, alarms: [Alarm], availability: [AuditRecord],
        states: [String: SourceState], now: Date
    ) {
        siteName = site.name
        zone = site.timeZone
        language = site.language
        residentRooms = Dictionary(site.residents.map { ($0.id, $0.room) }) { first, _ in first }
        let messages = Messages(site: site)
        kindNames = Dictionary(alarms.map { ($0.kind, messages.kindName($0.kind)) }) { first, _ in first }
        self.period = period
        generatedAt = now
        settings = site.report
        let end = min(now, period.to)
        let technicalRules = Set(site.rules.filter(\.isTechnical).map(\.id))
        let inPeriod = alarms.filter { $0.raisedAt >= period.from && $0.raisedAt < period.to }
        let testAlarms = inPeriod.filter(\.isTest)
        tests = testAlarms.count
        testsAnswered = testAlarms.filter { $0.acknowledgedAt != nil }.count
        let real = inPeriod.filter { !$0.isTest }
        let care = real.filter { !technicalRules.contains($0.rule) }
        let faults = real.filter { technicalRules.contains($0.rule) }

        let settings = site.report
        func grouped(_ key: (Alarm) -> String?, order: [String]? = nil) -> [GroupStats] {
            var groups: [String: [Alarm]] = [:]
            for alarm in care { if let k = key(alarm) { groups[k, default: []].append(alarm) } }
            let keys = order?.filter { groups[$0] != nil } ?? groups.keys.sorted()
            return keys.map { GroupStats(key: $0, stats: ResponseStats(groups[$0]!, settings: settings, end: now)) }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = site.timeZone
        func minute(_ date: Date) -> Int {
            let parts = calendar.dateComponents([.hour, .minute], from: date)
            return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        }
        // An alarm still unanswered counts as waiting until the report is made.
        overall = ResponseStats(care, settings: settings, end: now)
        byKind = grouped { $0.kind }
        byShift = grouped({ settings.shift(minute: minute($0.raisedAt))?.id }, order: settings.shifts.map(\.id))
        byResident = grouped { $0.resident }
        var technicalCounts: [String: Int] = [:]
        for alarm in faults { technicalCounts[alarm.kind, default: 0] += 1 }
        technical = technicalCounts.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
            .map { ($0.key, $0.value) }

        nuisanceByDevice = Self.nuisance(care, outcomes: site.outcomes, by: { $0.device })
        nuisanceByResident = Self.nuisance(care, outcomes: site.outcomes, by: { $0.resident })
        uptime = Self.uptime(
            of: site.bridges.map(\.id) + site.devices.map(\.id), records: availability, period: period, end: end)

        var histogram = Array(repeating: 0, count: Self.acknowledgeBuckets.count + 1)
        for alarm in care {
            guard let ack = alarm.acknowledgedAt?.timeIntervalSince(alarm.raisedAt) else { continue }
            histogram[Self.acknowledgeBuckets.firstIndex { ack < $0 } ?? Self.acknowledgeBuckets.count] += 1
        }
        acknowledgeHistogram = histogram
        var hours = Array(repeating: 0, count: 24)
        for alarm in care { hours[minute(alarm.raisedAt) / 60] += 1 }
        perHour = hours
        proof = ProofTable(site: site, configured: site, states: states, now: now)
    }

    /// Devices or residents with at least one alarm, worst rate first (then most alarms).
    /// The outcomes the site counts as false alarms and as accidents decide the columns.
    static func nuisance(_ alarms: [Alarm], outcomes: [OutcomeCode], by key: (Alarm) -> String?) -> [NuisanceRow] {
        let falseAlarm = Set(outcomes.filter(\.falseAlarm).map(\.id))
        let accidental = Set(outcomes.filter(\.accidental).map(\.id))
        var rows: [String: NuisanceRow] = [:]
        for alarm in alarms {
            guard let id = key(alarm) else { continue }
            var row = rows[id] ?? NuisanceRow(id: id, alarms: 0, falseAlarms: 0, accidental: 0)
            row.alarms += 1
            if let outcome = alarm.outcome, falseAlarm.contains(outcome) { row.falseAlarms += 1 }
            if let outcome = alarm.outcome, accidental.contains(outcome) { row.accidental += 1 }
            rows[id] = row
        }
        return rows.values.sorted {
            $0.rate != $1.rate ? $0.rate > $1.rate : $0.alarms != $1.alarms ? $0.alarms > $1.alarms : $0.id < $1.id
        }
    }

    /// Offline time per source within the period, from the audit's availability records:
    /// a source is offline from a `device.offline` record until the next `device.online`.
    static func uptime(of ids: [String], records: [AuditRecord], period: ReportPeriod, end: Date) -> [UptimeRow] {
        var offlineSince: [String: Date] = [:]
        var offline: [String: Double] = [:]
        var outages: [String: Int] = [:]
        func close(_ id: String, at instant: Date) {
            guard let since = offlineSince.removeValue(forKey: id) else { return }
            let start = max(since, period.from)
            let stop = min(instant, end)
            if stop > start { offline[id, default: 0] += stop.timeIntervalSince(start) }
        }
        for record in records.sorted(by: { $0.seq < $1.seq }) where record.at < end {
            guard let id = record.detail["source"] else { continue }
            if record.action == AuditAction.deviceOffline.rawValue {
                guard offlineSince[id] == nil else { continue }
                offlineSince[id] = record.at
                if record.at >= period.from { outages[id, default: 0] += 1 }
            } else if record.action == AuditAction.deviceOnline.rawValue {
                close(id, at: record.at)
            }
        }
        for id in Array(offlineSince.keys) { close(id, at: end) }
        let length = max(end.timeIntervalSince(period.from), 1)
        return ids.map { id in
            let seconds = offline[id] ?? 0
            return UptimeRow(
                id: id, offlineSeconds: seconds, outages: outages[id] ?? 0, uptime: max(0, 1 - seconds / length))
        }.sorted { $0.uptime != $1.uptime ? $0.uptime < $1.uptime : $0.id < $1.id }
    }
}
