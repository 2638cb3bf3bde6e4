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
    }

    /// Battery at or below this percentage is low.
    public static let lowBatteryPercent = 20
    /// A low battery counts as changed once it reads at least this (hysteresis, so a battery
    /// hovering at the limit does not raise and clear an alarm every report).
    public static let batteryOKPercent = 30
}
