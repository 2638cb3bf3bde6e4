/// The outcome codes a resolved alarm may carry. Kept short and fixed so reports can count them.
public enum Outcome: String, Sendable, Equatable, CaseIterable, Codable {
    /// Help given; the resident is fine now.
    case assisted
    /// Nothing was wrong (sensor fired without cause).
    case falseAlarm = "false-alarm"
    /// Pressed or triggered by mistake.
    case accidental
    /// Needed a nurse, doctor or ambulance.
    case escalatedMedical = "medical"
    /// The device needs service.
    case technical
    case other
}

extension Outcome {
    /// The outcome the hub gives a technical alarm whose cause went away by itself (the device
    /// came back online, the battery was changed). Not one staff can choose.
    public static let recovered = "recovered"
}
