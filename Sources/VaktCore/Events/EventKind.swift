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

    // Care events: what happened to a resident.
    public static let doorOpened: EventKind = "door.opened"
    public static let doorClosed: EventKind = "door.closed"
    public static let fallSuspected: EventKind = "fall.suspected"
    public static let fallDetected: EventKind = "fall.detected"
    public static let fallCleared: EventKind = "fall.cleared"
    public static let sos: EventKind = "sos"
    public static let sosCleared: EventKind = "sos.cleared"
    public static let medical: EventKind = "medical"
    public static let medicalCleared: EventKind = "medical.cleared"
    public static let presenceDetected: EventKind = "presence.detected"
    public static let presenceCleared: EventKind = "presence.cleared"
    public static let bedExit: EventKind = "bed.exit"
    public static let waterLeak: EventKind = "water.leak"
    public static let waterCleared: EventKind = "water.cleared"
    public static let smokeDetected: EventKind = "smoke.detected"
    public static let smokeCleared: EventKind = "smoke.cleared"
    /// The resident did not check in when expected (Contact ID 102).
    public static let checkInMissed: EventKind = "checkin.missed"
    /// No activity seen for longer than the unit allows (Contact ID 641, 654).
    public static let inactivity: EventKind = "inactivity"
    public static let inactivityCleared: EventKind = "inactivity.cleared"

    // Medication dispensers (see docs/devices/dispenser.md).
    public static let doseDue: EventKind = "dose.due"
    public static let doseTaken: EventKind = "dose.taken"
    public static let doseMissed: EventKind = "dose.missed"
    public static let refillLow: EventKind = "refill.low"
    public static let dispenserJammed: EventKind = "dispenser.jammed"
    public static let dispenserCleared: EventKind = "dispenser.cleared"

    // Technical events: the health of the equipment.
    public static let batteryLevel: EventKind = "battery.level"
    public static let batteryLow: EventKind = "battery.low"
    public static let batteryOK: EventKind = "battery.ok"
    public static let tamper: EventKind = "tamper"
    public static let tamperCleared: EventKind = "tamper.cleared"
    public static let deviceOnline: EventKind = "device.online"
    public static let deviceOffline: EventKind = "device.offline"
    /// Nothing heard from the device for longer than its supervision allows.
    public static let deviceSilent: EventKind = "device.silent"
    /// A periodic test report (Contact ID 602): the unit and its line work.
    public static let testPeriodic: EventKind = "test.periodic"
    /// The periodic test did not arrive in time (Contact ID supervision).
    public static let testMissed: EventKind = "test.missed"
    /// A whole bridge or receiver (zigbee2mqtt, an alarm receiver) went away or came back.
    public static let bridgeOffline: EventKind = "bridge.offline"
    public static let bridgeOnline: EventKind = "bridge.online"
    /// Nobody has proven the device's chain (sensor to a person's answer) for longer than its
    /// maximum proof age.
    public static let proofExpired: EventKind = "proof.expired"
    /// The chain was proven again (an alarm from the device was answered).
    public static let proofRenewed: EventKind = "proof.renewed"
    public static let unknownState: EventKind = "state.unknown"

    /// Every kind Vakt knows. Profiles and rules naming anything else fail `vakt check`.
    public static let known: Set<EventKind> = [
        .doorOpened, .doorClosed, .fallSuspected, .fallDetected, .fallCleared, .sos, .sosCleared, .medical,
        .medicalCleared, .presenceDetected, .presenceCleared, .bedExit, .waterLeak, .waterCleared, .smokeDetected,
        .smokeCleared, .checkInMissed, .inactivity, .inactivityCleared, .doseDue, .doseTaken, .doseMissed,
        .refillLow, .dispenserJammed, .dispenserCleared, .batteryLevel, .batteryLow, .batteryOK, .tamper,
        .tamperCleared, .deviceOnline, .deviceOffline, .deviceSilent, .testPeriodic, .testMissed, .bridgeOffline,
        .bridgeOnline, .proofExpired, .proofRenewed, .unknownState,
    ]

    /// Kinds about the equipment rather than a resident: a rule listening only to these raises a
    /// technical alarm.
    public static let technical: Set<EventKind> = [
        .batteryLow, .tamper, .deviceOffline, .deviceSilent, .testMissed, .bridgeOffline, .dispenserJammed,
        .refillLow, .proofExpired,
    ]

    /// Kinds the hub itself derives from supervision; a device's profile may not produce them,
    /// so a device cannot claim its own bridge went away.
    public static let hubOnly: Set<EventKind> = [
        .deviceSilent, .testMissed, .bridgeOffline, .bridgeOnline, .proofExpired, .proofRenewed,
    ]
}
