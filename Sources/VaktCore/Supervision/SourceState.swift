import Foundation

/// What the hub knows about the health of one device, bridge or receiver: stored with every
/// input that changes it, so supervision survives restarts.
public struct SourceState: Sendable, Equatable, Codable, Identifiable {
    /// A device id or a bridge id.
    public var id: String
    /// `nil` until the source or its bridge has said.
    public var online: Bool?
    /// Percent, as last reported.
    public var battery: Int?
    public var lowBattery: Bool
    public var tampered: Bool
    public var lastSeen: Date?
    /// When the hub started watching the source: silence counts from here until it is heard.
    public var watchedSince: Date
    /// When the source's bridge last came back online: its devices' silence counts from here.
    public var onlineSince: Date?
    /// Its maximum silence passed without a word; cleared when it is heard again.
    public var silent: Bool
    /// Messages from it that could not be read.
    public var rejected: Int
    public var lastRejection: String?
    public var lastRejectionAt: Date?
    /// A digest of the last message accepted from it, to recognise retained state replayed on
    /// reconnect.
    public var lastDigest: String?
    /// What the bridge's own device list says is wrong with this device (not paired, another
    /// model), if anything.
    public var warning: String?
    /// When the device's whole chain last worked: an alarm it raised was answered by a person.
    public var chainProvenAt: Date?
    /// How: which alarm, answered by whom.
    public var chainProof: String?
    /// The proof is older than the device's maximum proof age; cleared by a new proof.
    public var proofExpired: Bool
    /// `alarm` (a real alarm answered) or `test` (a chain test answered).
    public var chainProofKind: String?
    /// Its room is in test mode until then: the first care alarm it raises is a chain test.
    public var testUntil: Date?
    /// The chain test it raised in this test mode; after it, its other alarms are real.
    public var testAlarm: String?
    /// When proof-age watching began for it (a device never proven counts from here).
    public var proofSince: Date?

    public init(id: String, watchedSince: Date) {
        self.id = id
        self.online = nil
        self.battery = nil
        self.lowBattery = false
        self.tampered = false
        self.lastSeen = nil
        self.watchedSince = watchedSince
        self.onlineSince = nil
        self.silent = false
        self.rejected = 0
        self.lastRejection = nil
        self.lastRejectionAt = nil
        self.lastDigest = nil
        self.warning = nil
        self.chainProvenAt = nil
        self.chainProof = nil
        self.proofExpired = false
        self.chainProofKind = nil
        self.testUntil = nil
        self.testAlarm = nil
        self.proofSince = nil
    }

    private enum CodingKeys: String, CodingKey {
        case id, online, battery, lowBattery, tampered, lastSeen, watchedSince, onlineSince, silent, rejected
        case lastRejection, lastRejectionAt, lastDigest, warning, chainProvenAt, chainProof, proofExpired
        case chainProofKind, testUntil, testAlarm, proofSince
    }

    /// Reads stored state; fields added later default, so rows stored by an older hub load.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        online = try c.decodeIfPresent(Bool.self, forKey: .online)
        battery = try c.decodeIfPresent(Int.self, forKey: .battery)
        lowBattery = try c.decodeIfPresent(Bool.self, forKey: .lowBattery) ?? false
        tampered = try c.decodeIfPresent(Bool.self, forKey: .tampered) ?? false
        lastSeen = try c.decodeIfPresent(Date.self, forKey: .lastSeen)
        watchedSince = try c.decode(Date.self, forKey: .watchedSince)
        onlineSince = try c.decodeIfPresent(Date.self, forKey: .onlineSince)
        silent = try c.decodeIfPresent(Bool.self, forKey: .silent) ?? false
        rejected = try c.decodeIfPresent(Int.self, forKey: .rejected) ?? 0
        lastRejection = try c.decodeIfPresent(String.self, forKey: .lastRejection)
        lastRejectionAt = try c.decodeIfPresent(Date.self, forKey: .lastRejectionAt)
        lastDigest = try c.decodeIfPresent(String.self, forKey: .lastDigest)
        warning = try c.decodeIfPresent(String.self, forKey: .warning)
        chainProvenAt = try c.decodeIfPresent(Date.self, forKey: .chainProvenAt)
        chainProof = try c.decodeIfPresent(String.self, forKey: .chainProof)
        proofExpired = try c.decodeIfPresent(Bool.self, forKey: .proofExpired) ?? false
        chainProofKind = try c.decodeIfPresent(String.self, forKey: .chainProofKind)
        testUntil = try c.decodeIfPresent(Date.self, forKey: .testUntil)
        testAlarm = try c.decodeIfPresent(String.self, forKey: .testAlarm)
        proofSince = try c.decodeIfPresent(Date.self, forKey: .proofSince)
    }

    /// Online as people should read it: not while past its maximum silence, `nil` until known.
    public var reportedOnline: Bool? { silent ? false : online }

    /// Battery at or below this percentage is low.
    public static let lowBatteryPercent = 20
    /// A low battery counts as changed once it reads at least this (hysteresis, so a battery
    /// hovering at the limit does not raise and clear an alarm every report).
    public static let batteryOKPercent = 30
}
