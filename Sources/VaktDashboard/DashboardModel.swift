import Foundation
import VaktCore

/// A key the dashboard understands, decoded from the terminal.
public enum Key: Equatable, Sendable {
    case up, down, enter, escape, backspace
    case character(Character)
}

/// What the model asks the outside world to do after an input.
public enum DashboardEffect: Equatable, Sendable {
    /// Publish a staff command on `commands/<staff>`.
    case send(Command)
    /// Ask the hub for one alarm's timeline (request id, alarm id).
    case requestTimeline(id: String, alarm: String)
    /// Put a room in test mode (a chain test), on `commands/<staff>`.
    case startTest(TestModeRequest)
    /// Ring the terminal bell and flash: a new critical alarm.
    case alert
    case quit
}

/// Whether the hub says it is running (its retained state and last will).
public enum HubState: Equatable, Sendable {
    case unknown, online, offline
}

/// One line of an alarm's timeline, as the hub sent it.
public struct TimelineLine: Equatable, Sendable {
    public var at: String
    public var action: String
    public var actor: String
    public var detail: String

    public init(at: String, action: String, actor: String, detail: String) {
        self.at = at
        self.action = action
        self.actor = actor
        self.detail = detail
    }
}

/// Everything the dashboard shows, and how keys and messages change it. Pure: no terminal,
/// no network, no clock; time comes in as an argument where it matters.
public struct DashboardModel: Sendable {
    public enum Mode: Equatable, Sendable {
        case list
        case help
        /// `lines` is nil while the hub has not answered.
        case timeline(alarm: String, lines: [TimelineLine]?)
        /// Choosing an outcome (`note == nil`), then typing a note.
        case resolve(alarm: String, outcome: Int, note: String?)
        /// Typing the room to put in test mode.
        case testRoom(room: String)
    }

    public struct Status: Equatable, Sendable {
        public var text: String
        public var isError: Bool
    }

    public let site: Site
    public let staff: Staff
    public private(set) var alarms: [String: AlarmSnapshot] = [:]
    public var hubState: HubState = .unknown
    public var brokerConnected = false
    public private(set) var selectedID: String?
    public private(set) var mode: Mode = .list
    public private(set) var status: Status?
    /// Alert on new critical alarms (bell and flash).
    public var alertsEnabled: Bool
    /// Requests awaiting the hub's reply: which alarm, and which action (nil: a timeline).
    private var requests: [String: (alarm: String, action: Command.Action?)] = [:]
    /// Requests that started test mode (their `alarm` slot holds the room).
    private var testRequests: Set<String> = []

    /// How long a test the dashboard starts lasts: the default, capped as the hub caps it.
    public var testMinutes: Int { Int(min(TestModeRequest.defaultSeconds, site.proof.maxTestDuration) / 60) }
    private let requestPrefix: String
    private var requestCounter = 0

    /// - Parameter requestPrefix: Makes this dashboard's request ids unique among dashboards
    ///   (the hub drops a second command with the same id as a redelivery).
    public init(site: Site, staff: Staff, requestPrefix: String, alertsEnabled: Bool = true) {
        self.site = site
        self.staff = staff
        self.requestPrefix = requestPrefix
        self.alertsEnabled = alertsEnabled
    }

    /// Open alarms, most severe first, then the one waiting longest. Kept in order as
    /// snapshots arrive, so drawing a frame never sorts.
    public var sortedAlarms: [AlarmSnapshot] { order.compactMap { alarms[$0] } }
    private var order: [String] = []
    private var raisedAt: [String: Date] = [:]

    private mutating func reorder() {
        order = alarms.values.sorted {
            if $0.severity != $1.severity { return $0.severity > $1.severity }
            let (a, b) = (raisedAt[$0.id] ?? .distantPast, raisedAt[$1.id] ?? .distantPast)
            if a != b { return a < b }
            return $0.id < $1.id
        }.map(\.id)
    }

    public var selectedAlarm: AlarmSnapshot? { selectedID.flatMap { alarms[$0] } }

    // MARK: Messages from the hub

    /// A retained snapshot on `alarms/<id>`: empty (cleared) or resolved removes it.
    public mutating func receiveAlarm(id: String, payload: [UInt8]) -> [DashboardEffect] {
        guard !payload.isEmpty else {
            remove(id)
            return []
        }
        guard let snapshot = try? JSONDecoder().decode(AlarmSnapshot.self, from: Data(payload)) else {
            status = Status(text: texts.unreadableSnapshot(id), isError: true)
            return []
        }
        if snapshot.state == .resolved {
            remove(id)
            return []
        }
        let isNew = alarms[id] == nil
        let moved = alarms[id].map { $0.severity != snapshot.severity || $0.raisedAt != snapshot.raisedAt } ?? true
        alarms[id] = snapshot
        if moved {
            raisedAt[id] = RFC3339.date(from: snapshot.raisedAt)
            reorder()
        }
        if selectedID == nil { selectedID = sortedAlarms.first?.id }
        return isNew && snapshot.severity == .critical && snapshot.state == .raised && alertsEnabled ? [.alert] : []
    }

    private mutating func remove(_ id: String) {
        guard alarms[id] != nil else { return }
        let index = order.firstIndex(of: id) ?? 0
        alarms[id] = nil
        raisedAt[id] = nil
        order.removeAll { $0 == id }
        if selectedID == id {
            let remaining = order
            selectedID = remaining.isEmpty ? nil : remaining[min(index, remaining.count - 1)]
        }
        if case .resolve(let alarm, _, _) = mode, alarm == id { mode = .list }
    }

    /// Notification channels the hub reports failing (`channels/<id>`, retained): id to reason.
    public private(set) var failingChannels: [String: String] = [:]

    /// What the hub last heard from each device (`devices/<id>`, retained).
    public struct DeviceHealth: Equatable, Sendable {
        public var online: Bool?
        public var battery: Int?
        public var lowBattery: Bool
        /// The hub has heard from it at least once.
        public var heard: Bool = false
        /// Nobody has answered an alarm from it for longer than its maximum proof age.
        public var proofExpired: Bool = false
        /// Its room is in test mode (its first care alarm is a chain test).
        public var inTest: Bool = false
    }
    public private(set) var devices: [String: DeviceHealth] = [:]

    /// A device's status from `devices/<id>`; an empty payload forgets it.
    public mutating func receiveDevice(id: String, payload: [UInt8]) {
        guard let object = WireJSON.object(payload) else {
            devices[id] = nil
            return
        }
        devices[id] = DeviceHealth(
            online: object["online"] as? Bool, battery: object["battery"] as? Int,
            lowBattery: object["low_battery"] as? Bool ?? false, heard: object["last_seen"] is String,
            proofExpired: object["proof_expired"] as? Bool ?? false, inTest: object["test_until"] is String)
    }

    /// A resident or room the hub is not raising alarms for, as `silences` lists it.
    public struct Silenced: Sendable, Equatable {
        public var resident: String?
        public var room: String?
        public var until: Date
    }
    public private(set) var silences: [Silenced] = []

    /// The silences in force, from the retained `silences` list; anything else empties it.
    public mutating func receiveSilences(_ payload: [UInt8]) {
        let list = (try? JSONSerialization.jsonObject(with: Data(payload))) as? [[String: Any]] ?? []
        silences = list.compactMap { entry in
            guard let until = (entry["until"] as? String).flatMap(RFC3339.date(from:)) else { return nil }
            return Silenced(resident: entry["resident"] as? String, room: entry["room"] as? String, until: until)
        }
    }

    /// A channel's health from `channels/<id>`.
    public mutating func receiveChannel(id: String, payload: [UInt8]) {
        let object = WireJSON.object(payload)
        if object?["state"] as? String == "failing" {
            failingChannels[id] = object?["reason"] as? String ?? ""
        } else {
            failingChannels[id] = nil
        }
    }

    /// The hub's retained `hub/state`.
    public mutating func receiveHubState(_ payload: [UInt8]) {
        switch String(decoding: payload, as: UTF8.self) {
        case "online": hubState = .online
        case "offline": hubState = .offline
        default: hubState = .unknown
        }
    }

    /// A reply on `replies/<staff>`; only replies to this dashboard's requests count.
    public mutating func receiveReply(_ payload: [UInt8]) {
        guard let object = WireJSON.object(payload),
            let id = object["id"] as? String, let request = requests.removeValue(forKey: id)
        else { return }
        let ok = object["ok"] as? Bool ?? false
        let message = object["message"] as? String ?? ""
        if let entries = object["timeline"] as? [[String: Any]], case .timeline(let alarm, _) = mode,
            alarm == request.alarm
        {
            mode = .timeline(alarm: alarm, lines: entries.map(Self.timelineLine))
            return
        }
        if case .timeline(let alarm, nil) = mode, alarm == request.alarm, !ok {
            mode = .timeline(alarm: alarm, lines: [])
        }
        if testRequests.remove(id) != nil {
            status =
                ok
                ? Status(text: texts.testStarted(request.alarm, minutes: testMinutes), isError: false)
                : Status(text: texts.refused(message), isError: true)
            return
        }
        if ok, let action = request.action {
            status = Status(text: texts.done(action, request.alarm), isError: false)
        } else if let code = object["code"] as? String,
            let text = texts.refusal(code, alarm: request.alarm, by: object["by"] as? String)
        {
            status = Status(text: texts.refused(text), isError: true)
        } else {
            status = Status(text: ok ? message : texts.refused(message), isError: !ok)
        }
    }

    private static func timelineLine(_ entry: [String: Any]) -> TimelineLine {
        var detail = (entry["detail"] as? [String: String] ?? [:]).filter { $0.key != "request" && $0.key != "key" }
        if let recipient = entry["recipient"] as? String { detail["to"] = recipient }
        return TimelineLine(
            at: entry["at"] as? String ?? "", action: entry["action"] as? String ?? "",
            actor: entry["actor"] as? String ?? "",
            detail: detail.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
    }

    // MARK: Keys

    public mutating func handle(_ key: Key) -> [DashboardEffect] {
        switch mode {
        case .list: return handleListKey(key)
        case .help, .timeline:
            if [.escape, .enter, .character("q"), .character("t"), .character("?")].contains(key) { mode = .list }
            return []
        case .testRoom(let room):
            switch key {
            case .escape:
                mode = .list
            case .backspace:
                mode = .testRoom(room: String(room.dropLast()))
            case .character(let c) where room.count < 40 && !c.isWhitespace:
                mode = .testRoom(room: room + String(c))
            case .enter:
                mode = .list
                guard !room.isEmpty else { return [] }
                let id = nextRequestID()
                requests[id] = (room, nil)
                testRequests.insert(id)
                status = Status(text: texts.startingTest(room), isError: false)
                return [
                    .startTest(
                        TestModeRequest(id: id, staff: staff.id, room: room, seconds: TestModeRequest.defaultSeconds))
                ]
            default:
                break
            }
            return []
        case .resolve(let alarm, let outcome, nil):
            switch key {
            case .up, .character("k"): mode = .resolve(alarm: alarm, outcome: max(0, outcome - 1), note: nil)
            case .down, .character("j"):
                mode = .resolve(alarm: alarm, outcome: min(site.outcomes.count - 1, outcome + 1), note: nil)
            case .enter: mode = .resolve(alarm: alarm, outcome: outcome, note: "")
            case .escape, .character("q"): mode = .list
            default: break
            }
            return []
        case .resolve(let alarm, let outcome, let note?):
            switch key {
            case .escape:
                mode = .list
                return []
            case .backspace:
                mode = .resolve(alarm: alarm, outcome: outcome, note: String(note.dropLast()))
                return []
            case .character(let c):
                if note.count < 500 { mode = .resolve(alarm: alarm, outcome: outcome, note: note + String(c)) }
                return []
            case .enter:
                mode = .list
                let trimmed = note.trimmingCharacters(in: .whitespaces)
                return send(
                    .resolve, alarm: alarm, outcome: site.outcomes[outcome].id,
                    note: trimmed.isEmpty ? nil : trimmed)
            case .up, .down:
                return []
            }
        }
    }

    private mutating func handleListKey(_ key: Key) -> [DashboardEffect] {
        let index = selectedID.flatMap { order.firstIndex(of: $0) }
        switch key {
        case .up, .character("k"):
            if let index, index > 0 { selectedID = order[index - 1] }
        case .down, .character("j"):
            if let index, index + 1 < order.count {
                selectedID = order[index + 1]
            } else if index == nil {
                selectedID = order.first
            }
        case .character("q"):
            return [.quit]
        case .character("?"):
            mode = .help
        case .character("T"):
            // Test mode for a room: the selected alarm's room to start with, editable.
            mode = .testRoom(room: selectedAlarm?.room ?? "")
        case .character("a"):
            guard let alarm = selectedAlarm else { return noAlarm() }
            return send(.acknowledge, alarm: alarm.id)
        case .character("p"):
            guard let alarm = selectedAlarm else { return noAlarm() }
            return send(.onsite, alarm: alarm.id)
        case .character("r"):
            guard let alarm = selectedAlarm else { return noAlarm() }
            mode = .resolve(alarm: alarm.id, outcome: 0, note: nil)
        case .character("t"):
            guard let alarm = selectedAlarm else { return noAlarm() }
            let id = nextRequestID()
            requests[id] = (alarm.id, nil)
            mode = .timeline(alarm: alarm.id, lines: nil)
            return [.requestTimeline(id: id, alarm: alarm.id)]
        default:
            break
        }
        return []
    }

    private mutating func noAlarm() -> [DashboardEffect] {
        status = Status(text: texts.noAlarmSelected, isError: true)
        return []
    }

    private mutating func send(
        _ action: Command.Action, alarm: String, outcome: String? = nil, note: String? = nil
    ) -> [DashboardEffect] {
        let id = nextRequestID()
        requests[id] = (alarm, action)
        status = Status(text: texts.sending(action, alarm), isError: false)
        return [.send(Command(id: id, staff: staff.id, action: action, alarm: alarm, outcome: outcome, note: note))]
    }

    private mutating func nextRequestID() -> String {
        requestCounter += 1
        return "\(requestPrefix)-\(requestCounter)"
    }

    /// The request could not be published (no broker connection).
    public mutating func sendFailed(_ effect: DashboardEffect, reason: String) {
        if case .send(let command) = effect { requests[command.id] = nil }
        if case .startTest(let request) = effect {
            requests[request.id] = nil
            testRequests.remove(request.id)
        }
        if case .requestTimeline(let id, let alarm) = effect {
            requests[id] = nil
            if case .timeline(alarm, nil) = mode { mode = .timeline(alarm: alarm, lines: []) }
        }
        status = Status(text: texts.notSent(reason), isError: true)
    }

    var texts: DashboardTexts { DashboardTexts(site: site) }
}
