import Foundation
import VaktCore

/// How a stretch of text is drawn; the terminal maps each to colours or, without colours,
/// to bold and reverse video, so nothing depends on colour alone.
public enum Style: Equatable, Sendable {
    case normal, dim, bold, header, selected, critical, high, alert, error
}

public struct Span: Equatable, Sendable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .normal) {
        self.text = text
        self.style = style
    }
}

/// What is on the screen: exactly `height` lines, each at most `width` characters.
public struct Frame: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var lines: [[Span]]

    /// The frame as plain text, one string per line (for tests and the no-terminal fallback).
    public var text: [String] { lines.map { $0.map(\.text).joined() } }
}

/// Lays the model out for a terminal of a given size. Pure: the same model, size and instant
/// always give the same frame.
public enum DashboardLayout {
    public static func render(_ model: DashboardModel, width: Int, height: Int, now: Date) -> Frame {
        let texts = model.texts
        var top: [[Span]] = []
        var bottom: [[Span]] = []

        top.append(header(model, width: width, now: now))
        top.append(banner(model, width: width))
        top.append([])

        bottom.append([Span(fit(texts.onDuty(model.site.staffOnDuty(at: now).map(\.name)), width), .normal)])
        // Night staff must know whose alarms will not come (a resident in hospital).
        let silenced = model.silences.filter { $0.until > now }.map { silence -> String in
            let who =
                silence.resident.flatMap { model.site.resident($0)?.displayName } ?? silence.resident
                ?? model.site.room(silence.room ?? "")?.name ?? silence.room ?? ""
            return texts.silenced(who, until: day(silence.until, in: model.site.timeZone))
        }
        if !silenced.isEmpty { bottom.append([Span(fit(texts.silencedLine(silenced), width), .high)]) }
        bottom.append(devices(model, width: width))
        if let status = model.status {
            bottom.append([Span(fit(status.text, width), status.isError ? .error : .bold)])
        } else {
            bottom.append([])
        }
        bottom.append([Span(fit(texts.keys, width), .dim)])

        let room = max(0, height - top.count - bottom.count)
        var middle: [[Span]]
        switch model.mode {
        case .list: middle = list(model, width: width, rows: room, now: now)
        case .help: middle = texts.help.map { [Span(fit($0, width), $0 == texts.help.first ? .bold : .normal)] }
        case .timeline(let alarm, let lines): middle = timeline(model, alarm: alarm, lines: lines, width: width)
        case .resolve(let alarm, let outcome, let note):
            middle = resolve(model, alarm: alarm, outcome: outcome, note: note, width: width)
        case .testRoom(let room):
            middle = [
                [Span(fit(texts.testRoomPrompt(minutes: model.testMinutes) + room + "_", width), .bold)], [],
                [Span(fit(texts.testRoomNote, width), .normal)],
            ]
        }
        if width < 80 || height < 24 {
            middle.insert([Span(fit(texts.tooSmall, width), .error)], at: 0)
        }
        middle = Array(middle.prefix(room))
        middle += Array(repeating: [], count: room - middle.count)

        var lines = top + middle + bottom
        if lines.count > height { lines = Array(lines.prefix(height)) }
        return Frame(width: width, height: height, lines: lines)
    }

    // MARK: Parts

    private static func header(_ model: DashboardModel, width: Int, now: Date) -> [Span] {
        let texts = model.texts
        // The clock and who is signed in always show; the site's name gives way when narrow.
        var right = "\(texts.signedIn(model.staff))  \(clock(now, in: model.site.timeZone, seconds: true)) "
        if right.count > width / 2 {
            right = "\(model.staff.name)  \(clock(now, in: model.site.timeZone, seconds: true)) "
        }
        let left = fit(" \(texts.title) · \(model.site.name)", max(0, width - right.count - 1))
        let gap = max(1, width - left.count - right.count)
        return [Span(fit(left + String(repeating: " ", count: gap) + right, width, pad: true), .header)]
    }

    private static func banner(_ model: DashboardModel, width: Int) -> [Span] {
        let texts = model.texts
        if !model.brokerConnected { return [Span(fit(texts.brokerDown, width, pad: true), .alert)] }
        if model.hubState == .offline { return [Span(fit(texts.hubOffline, width, pad: true), .alert)] }
        if let (channel, reason) = model.failingChannels.sorted(by: { $0.key < $1.key }).first {
            return [Span(fit(texts.channelFailing(channel, reason), width, pad: true), .alert)]
        }
        switch model.hubState {
        case .offline: return [Span(fit(texts.hubOffline, width, pad: true), .alert)]
        case .unknown: return [Span(fit(texts.hubUnknown, width), .dim)]
        case .online: return [Span(fit(texts.hubOnline, width), .dim)]
        }
    }

    /// Offline devices, low batteries and devices whose proof expired first; otherwise how many
    /// have reported at all.
    private static func devices(_ model: DashboardModel, width: Int) -> [Span] {
        let texts = model.texts
        let offline = model.devices.filter { $0.value.online == false }.keys.sorted()
        let low = model.devices.filter { $0.value.lowBattery }.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value.battery.map { "\($0)%" } ?? "")" }
        let unproven = model.devices.filter { $0.value.proofExpired }.keys.sorted()
        let testRooms = Set(model.devices.filter { $0.value.inTest }.compactMap { model.site.device($0.key)?.room })
            .sorted()
        if offline.isEmpty && low.isEmpty && unproven.isEmpty && testRooms.isEmpty {
            let watched = Set(model.site.devices.map(\.id) + model.site.bridges.map(\.id))
            let heard = model.devices.filter { watched.contains($0.key) && $0.value.heard }.count
            return [Span(fit(texts.devicesFine(heard: heard, of: watched.count), width), .dim)]
        }
        return [
            Span(
                fit(texts.devicesTrouble(offline: offline, low: low, unproven: unproven, testRooms: testRooms), width),
                .high)
        ]
    }

    /// Column widths: waited, severity, room, resident (flexible), kind, state, tier.
    private static func columnWidths(_ width: Int) -> [Int] {
        let fixed = [7, 9, 5, 0, 15, 18, 5]
        let resident = max(8, width - fixed.reduce(0, +) - (fixed.count - 1))
        return fixed.enumerated().map { $0.offset == 3 ? resident : $0.element }
    }

    private static func row(_ cells: [String], _ widths: [Int]) -> String {
        zip(cells, widths).map { fit($0, $1, pad: true) }.joined(separator: " ")
    }

    private static func list(_ model: DashboardModel, width: Int, rows: Int, now: Date) -> [[Span]] {
        let texts = model.texts
        let alarms = model.sortedAlarms
        guard !alarms.isEmpty else { return [[Span(fit("  " + texts.noAlarms, width), .bold)]] }
        let widths = columnWidths(width)
        var out: [[Span]] = [[Span(fit(row(texts.columns, widths), width), .bold)]]

        let details = model.selectedAlarm.map { detailLines(model, $0, width: width, now: now) } ?? []
        let capacity = max(1, rows - 1 - details.count - 1)
        let selected = alarms.firstIndex { $0.id == model.selectedID } ?? 0
        let offset = max(0, selected - capacity + 1)
        for alarm in alarms[offset..<min(alarms.count, offset + capacity)] {
            let waited = RFC3339.date(from: alarm.raisedAt).map { duration(now.timeIntervalSince($0)) } ?? "?"
            let tier = alarm.round > 0 ? "\(alarm.tier + 1)+\(alarm.round)" : "\(alarm.tier + 1)"
            let cells = [
                waited, texts.severity(alarm.severity), alarm.room, alarm.residentName ?? alarm.resident ?? "–",
                (alarm.isTest ? "TEST " : "") + texts.kind(alarm.kind), texts.state(alarm), tier,
            ]
            let style: Style =
                alarm.id == model.selectedID
                ? .selected : alarm.state == .raised ? (alarm.severity == .critical ? .critical : .high) : .normal
            out.append([Span(fit(row(cells, widths), width, pad: alarm.id == model.selectedID), style)])
        }
        if alarms.count > offset + capacity {
            out.append([Span("  … +\(alarms.count - offset - capacity)", .dim)])
        }
        out.append([])
        out += details
        return out
    }

    private static func detailLines(_ model: DashboardModel, _ alarm: AlarmSnapshot, width: Int, now: Date) -> [[Span]]
    {
        let texts = model.texts
        let zone = model.site.timeZone
        var first = "\(alarm.id) · \(alarm.isTest ? "TEST " : "")\(texts.kind(alarm.kind)) · \(alarm.room)"
        if let name = alarm.residentName { first += " · \(name)" }
        if let raised = RFC3339.date(from: alarm.raisedAt) { first += " · \(clock(raised, in: zone, seconds: true))" }
        if alarm.repeats > 0 { first += " · +\(alarm.repeats)" }
        let names = alarm.notified.map { id in
            model.site.staffMember(id)?.name
                ?? model.site.residents.lazy.flatMap(\.nextOfKin).first { $0.id == id }?.name ?? id
        }
        var next = texts.noEscalation
        if alarm.state == .raised, let at = alarm.escalatesAt.flatMap(RFC3339.date(from:)),
            let policy = model.site.policy(alarm.policy)
        {
            let tier = min(alarm.tier + 1, policy.tiers.count - 1)
            next = texts.nextTier(
                tier + 1, at: clock(at, in: zone, seconds: false), in: duration(max(0, at.timeIntervalSince(now))))
            let probe = Alarm(
                id: alarm.id, kind: alarm.kind, severity: alarm.severity, resident: alarm.resident, room: alarm.room,
                device: alarm.device, rule: "", policy: alarm.policy, raisedAt: at)
            let people = Engine(site: model.site).people(inTier: tier, of: probe, at: at)
            let staff = people.filter { $0.kind == .staff }.map { texts.person($0.id) }
            let kin = people.filter { $0.kind == .nextOfKin }.count
            next += " → " + (staff + (kin > 0 ? [texts.nextOfKin(kin)] : [])).joined(separator: ", ")
        }
        return [
            [Span(fit(first, width), .bold)],
            [Span(fit(texts.notified(names), width))],
            [Span(fit(next, width), alarm.state == .raised ? .high : .dim)],
        ]
    }

    private static func timeline(_ model: DashboardModel, alarm: String, lines: [TimelineLine]?, width: Int)
        -> [[Span]]
    {
        let texts = model.texts
        var out: [[Span]] = [[Span(fit(texts.timelineTitle(alarm), width), .bold)], []]
        guard let lines else { return out + [[Span(texts.waitingForHub, .dim)]] }
        if lines.isEmpty { return out + [[Span(texts.emptyTimeline, .dim)]] }
        for line in lines {
            let time = RFC3339.date(from: line.at).map { clock($0, in: model.site.timeZone, seconds: true) } ?? line.at
            let text = "\(time)  \(fit(line.action, 22, pad: true)) \(fit(line.actor, 20, pad: true)) \(line.detail)"
            out.append([Span(fit(text, width))])
        }
        return out
    }

    private static func resolve(_ model: DashboardModel, alarm: String, outcome: Int, note: String?, width: Int)
        -> [[Span]]
    {
        let texts = model.texts
        var out: [[Span]] = [[Span(fit("\(alarm): \(texts.resolveTitle)", width), .bold)], []]
        for (index, choice) in model.site.outcomes.enumerated() {
            let marker = index == outcome ? "> " : "  "
            out.append([
                Span(
                    fit(marker + choice.name(in: model.site.language), width, pad: index == outcome),
                    index == outcome ? .selected : .normal)
            ])
        }
        if let note {
            out.append([])
            out.append([Span(fit(texts.notePrompt + note + "_", width), .bold)])
        }
        return out
    }

    // MARK: Text helpers

    /// Cuts `text` to `width` characters (ending in "…" when cut); pads with spaces if asked.
    static func fit(_ text: String, _ width: Int, pad: Bool = false) -> String {
        guard width > 0 else { return "" }
        if text.count > width { return String(text.prefix(width - 1)) + "…" }
        return pad ? text + String(repeating: " ", count: width - text.count) : text
    }

    /// `m:ss` under an hour, `h:mm:ss` from then on.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    /// `dd.MM HH:mm` in the site's zone.
    static func day(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.day, .month, .hour, .minute], from: date)
        return String(format: "%02d.%02d %02d:%02d", c.day ?? 0, c.month ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    static func clock(_ date: Date, in zone: TimeZone, seconds: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return seconds
            ? String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
            : String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }
}
