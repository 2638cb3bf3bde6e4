import Foundation

/// A care home or home-care base: everything Vakt knows about the place it watches.
///
/// A `Site` is loaded and validated by `VaktConfig`; the engine treats it as read-only
/// and looks residents, staff and policies up through it.
public struct Site: Sendable, Equatable {
    /// Short slug used in MQTT topics (`vakt/<id>/...`) and file names.
    public var id: String
    /// The name people read, e.g. "Marker bo- og servicesenter".
    public var name: String
    /// The site's wall-clock time zone, used for texts and reports.
    public var timeZone: TimeZone { didSet { calendar = SiteCalendar(timeZone: timeZone) } }
    /// The language of notification and dashboard texts.
    public var language: Language
    public var broker: BrokerSettings
    /// Where the hub keeps its database, unless `--data` overrides it.
    public var dataDirectory: String?
    public var rooms: [Room] { didSet { lookup = Lookup(self) } }
    public var residents: [Resident] { didSet { lookup = Lookup(self) } }
    public var staff: [Staff]
    public var groups: [StaffGroup]
    public var channels: [Channel]
    public var policies: [Policy]
    public var rules: [Rule]
    public var devices: [Device] { didSet { lookup = Lookup(self) } }
    /// zigbee2mqtt bridges and alarm receivers that carry devices' messages.
    public var bridges: [Bridge]
    /// How old the proof that each device's chain works may get.
    public var proof: ProofSettings
    /// Checkpoints and retention of the audit log.
    public var audit: AuditSettings
    /// Shifts and response-time targets for reports.
    public var report: ReportSettings
    /// Who works which shift; `nil`: each staff member's `onDuty` flag says.
    public var roster: Roster?
    /// Who may silence residents and rooms, and what no silence holds back.
    public var silencing: SilenceSettings
    /// The outcomes staff choose from when resolving.
    public var outcomes: [OutcomeCode]
    /// The site's own message wording, by audience and channel; built-in texts otherwise.
    public var templates: [MessageTemplate]
    /// The site's wall-clock calendar (time windows, rosters, reports).
    public private(set) var calendar: SiteCalendar
    /// Positions in the lists by id, for the engine's hot path; rebuilt when a list changes.
    private var lookup = Lookup()
    /// Where the device profiles were loaded from, when loaded from files.
    public var profilesDirectory: String?
    /// Device profiles by id (`<ecosystem>/<model-file-name>`), as loaded from `Devices/`.
    public var profiles: [String: DeviceProfile]

    public init(
        id: String, name: String, timeZone: TimeZone, language: Language = .norwegianBokmal,
        broker: BrokerSettings = BrokerSettings(), dataDirectory: String? = nil,
        rooms: [Room] = [], residents: [Resident] = [], staff: [Staff] = [],
        groups: [StaffGroup] = [], channels: [Channel] = [], policies: [Policy] = [],
        rules: [Rule] = [], devices: [Device] = [], bridges: [Bridge] = [], proof: ProofSettings = ProofSettings(),
        audit: AuditSettings = AuditSettings(), report: ReportSettings = ReportSettings(),
        roster: Roster? = nil, silencing: SilenceSettings = SilenceSettings(),
        outcomes: [OutcomeCode] = OutcomeCode.defaults, templates: [MessageTemplate] = [],
        profiles: [String: DeviceProfile] = [:]
    ) {
        self.templates = templates
        self.roster = roster
        self.silencing = silencing
        self.outcomes = outcomes
        self.calendar = SiteCalendar(timeZone: timeZone)
        defer { lookup = Lookup(self) }
        self.id = id
        self.name = name
        self.timeZone = timeZone
        self.language = language
        self.broker = broker
        self.dataDirectory = dataDirectory
        self.rooms = rooms
        self.residents = residents
        self.staff = staff
        self.groups = groups
        self.channels = channels
        self.policies = policies
        self.rules = rules
        self.devices = devices
        self.bridges = bridges
        self.proof = proof
        self.audit = audit
        self.report = report
        self.profiles = profiles
    }
}

extension Site {
    public func room(_ id: String) -> Room? { lookup.rooms[id].map { rooms[$0] } }
    public func resident(_ id: String) -> Resident? { lookup.residents[id].map { residents[$0] } }
    /// A relative of any resident, by id (next-of-kin ids are unique within a site).
    public func nextOfKin(_ id: String) -> NextOfKin? {
        residents.lazy.flatMap(\.nextOfKin).first { $0.id == id }
    }
    /// The resident living in a room, if any.
    public func resident(inRoom room: String) -> Resident? { lookup.residentInRoom[room].map { residents[$0] } }
    public func staffMember(_ id: String) -> Staff? { staff.first { $0.id == id } }
    public func group(_ id: String) -> StaffGroup? { groups.first { $0.id == id } }
    public func channel(_ id: String) -> Channel? { channels.first { $0.id == id } }
    public func policy(_ id: String) -> Policy? { policies.first { $0.id == id } }
    public func device(_ id: String) -> Device? { lookup.devices[id].map { devices[$0] } }
    /// The device that publishes on an MQTT topic, if any.
    public func device(onTopic topic: String) -> Device? { lookup.topics[topic].map { devices[$0] } }
    public func bridge(_ id: String) -> Bridge? { bridges.first { $0.id == id } }

    /// The bridge or receiver a device's messages pass through, if one is configured.
    public func bridge(of device: Device) -> Bridge? {
        switch device.link {
        case .mqtt(let topic):
            bridges.first { bridge in bridge.baseTopic.map { topic.hasPrefix("\($0)/") } ?? false }
        case .contactID(let receiver, _, _): bridge(receiver)
        case .serial: nil
        }
    }

    /// The devices whose messages pass through a bridge.
    public func devices(behind bridge: Bridge) -> [Device] {
        devices.filter { self.bridge(of: $0)?.id == bridge.id }
    }

    /// The Contact ID device a receiver's message belongs to: the one configured for that
    /// account and zone, else the one configured for the whole account.
    public func device(receiver: String, account: String, zone: String) -> Device? {
        var wholeAccount: Device?
        for device in devices {
            guard case .contactID(let via, let deviceAccount, let deviceZone) = device.link, via == receiver,
                deviceAccount == account
            else { continue }
            if deviceZone == zone { return device }
            if deviceZone == nil { wholeAccount = device }
        }
        return wholeAccount
    }

    /// The room of a device or bridge id, for alarms raised about it.
    public func room(ofSource id: String) -> String? { device(id)?.room ?? bridge(id)?.room }

    /// Staff ids on duty at `date`: by the roster, or by each member's `onDuty` flag.
    public func onDuty(at date: Date) -> Set<String> {
        guard let roster else { return Set(staff.filter(\.onDuty).map(\.id)) }
        return Set(roster.onDuty(at: date, in: calendar))
    }

    /// Staff on duty at `date`, in the order of the staff list.
    public func staffOnDuty(at date: Date) -> [Staff] {
        let ids = onDuty(at: date)
        return staff.filter { ids.contains($0.id) }
    }

    public func outcome(_ id: String) -> OutcomeCode? { outcomes.first { $0.id == id } }

    /// `rule` as it applies to `resident`: their override's severity and policy, or `nil`
    /// when they have it off.
    public func rule(_ rule: Rule, for resident: Resident?) -> Rule? {
        guard let override = resident?.ruleOverrides[rule.id] else { return rule }
        if override.disabled { return nil }
        var own = rule
        own.severity = override.severity ?? rule.severity
        own.policy = override.policy ?? rule.policy
        return own
    }

    /// The MQTT topic prefix of this site's own messages: `vakt/<site>`.
    public var topicPrefix: String { "vakt/\(id)" }
}

/// The language of texts people read.
public enum Language: String, Sendable, Equatable, CaseIterable, Codable {
    case norwegianBokmal = "nb"
    case english = "en"
}

/// Where the hub's MQTT broker is and how the hub identifies itself to it.
public struct BrokerSettings: Sendable, Equatable {
    /// `mqtt://host:port`, `mqtts://host:port` or `unix:///path/to/socket`.
    public var url: String
    /// A fixed client id, so the broker keeps the hub's persistent session across restarts.
    public var clientID: String?
    /// Optional login; the password is read from a file, never written in config.
    public var username: String?
    public var passwordFile: String?
    /// The CA certificate(s) that sign the broker's TLS certificate (`mqtts://`); `nil`: the
    /// system's trusted CAs.
    public var caFile: String?

    public init(
        url: String = "mqtt://127.0.0.1:1883", clientID: String? = nil, username: String? = nil,
        passwordFile: String? = nil, caFile: String? = nil
    ) {
        self.caFile = caFile
        self.url = url
        self.clientID = clientID
        self.username = username
        self.passwordFile = passwordFile
    }
}

/// The longest a device may go without its chain being proven end to end (an alarm it raised
/// answered by a person). Past it the hub raises `proof.expired`.
public struct ProofSettings: Sendable, Equatable {
    /// Seconds, for every device; `nil`: proof age is shown but never alarmed.
    public var maxAge: Double?
    /// Seconds, per device profile id, overriding `maxAge` (a fall sensor 7 days, a button 30).
    public var byProfile: [String: Double]
    /// The policy chain tests escalate under (whoever answers tests); `nil`: no test mode.
    public var testPolicy: String?
    /// The longest a room may stay in test mode, in seconds.
    public var maxTestDuration: Double

    public init(
        maxAge: Double? = nil, byProfile: [String: Double] = [:], testPolicy: String? = nil,
        maxTestDuration: Double = 7200
    ) {
        self.maxAge = maxAge
        self.byProfile = byProfile
        self.testPolicy = testPolicy
        self.maxTestDuration = maxTestDuration
    }

    /// The maximum proof age of a device with this profile, if any.
    public func maxAge(profile: String) -> Double? { byProfile[profile] ?? maxAge }
}

extension Site {
    /// Where each room, resident and device is in the site's lists, by id (the first, where
    /// a configuration not yet checked has two). Derived from the lists, so two sites with
    /// the same lists are equal whatever their lookups hold.
    struct Lookup: Sendable, Equatable {
        var rooms: [String: Int] = [:]
        var residents: [String: Int] = [:]
        var residentInRoom: [String: Int] = [:]
        var devices: [String: Int] = [:]
        var topics: [String: Int] = [:]

        init() {}

        init(_ site: Site) {
            for (index, room) in site.rooms.enumerated() where rooms[room.id] == nil { rooms[room.id] = index }
            for (index, resident) in site.residents.enumerated() {
                if residents[resident.id] == nil { residents[resident.id] = index }
                if residentInRoom[resident.room] == nil { residentInRoom[resident.room] = index }
            }
            for (index, device) in site.devices.enumerated() {
                if devices[device.id] == nil { devices[device.id] = index }
                if let topic = device.topic, topics[topic] == nil { topics[topic] = index }
            }
        }

        static func == (_: Lookup, _: Lookup) -> Bool { true }
    }
}
