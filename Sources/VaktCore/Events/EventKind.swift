/// A normalised kind of device event, independent of the device that reported it.
///
/// Profiles map each model's payload to these names, so rules never see vendor formats.
/// A struct over a string rather than an enum, so device profiles can add kinds as data.
public struct EventKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let doorOpened: EventKind = "door.opened"
    public static let doorClosed: EventKind = "door.closed"
    public static let fallSuspected: EventKind = "fall.suspected"
    public static let fallDetected: EventKind = "fall.detected"
    public static let fallCleared: EventKind = "fall.cleared"
    public static let sos: EventKind = "sos"
    public static let batteryLevel: EventKind = "battery.level"
    public static let batteryLow: EventKind = "battery.low"
    public static let tamper: EventKind = "tamper"
    public static let deviceOnline: EventKind = "device.online"
    public static let deviceOffline: EventKind = "device.offline"
    public static let unknownState: EventKind = "state.unknown"

    /// Every kind Vakt knows. Profiles and rules naming anything else fail `vakt check`.
    public static let known: Set<EventKind> = [
        .doorOpened, .doorClosed, .fallSuspected, .fallDetected, .fallCleared, .sos,
        .batteryLevel, .batteryLow, .tamper, .deviceOnline, .deviceOffline, .unknownState,
    ]
}
