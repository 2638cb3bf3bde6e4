/// The outcome codes a resolved alarm may carry when the site configures none. Kept short
/// and fixed so reports can count them.
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

/// One outcome staff may choose when resolving an alarm, as the site configures them
/// (`outcomes:`): a code for the record and reports, and names in both languages.
public struct OutcomeCode: Sendable, Equatable, Identifiable {
    public var id: String
    public var nb: String
    public var en: String
    /// Reports count it as a false alarm (a sensor firing without cause).
    public var falseAlarm: Bool
    /// Reports count it as triggered by mistake.
    public var accidental: Bool

    public init(id: String, nb: String, en: String, falseAlarm: Bool = false, accidental: Bool = false) {
        self.id = id
        self.nb = nb
        self.en = en
        self.falseAlarm = falseAlarm
        self.accidental = accidental
    }

    public func name(in language: Language) -> String { language == .norwegianBokmal ? nb : en }

    /// The list used when the site configures none.
    public static let defaults: [OutcomeCode] = [
        OutcomeCode(
            id: Outcome.assisted.rawValue, nb: "Hjulpet – beboeren er i orden", en: "Assisted – the resident is fine"),
        OutcomeCode(
            id: Outcome.falseAlarm.rawValue, nb: "Falsk alarm – ingenting var galt",
            en: "False alarm – nothing was wrong", falseAlarm: true),
        OutcomeCode(
            id: Outcome.accidental.rawValue, nb: "Utløst ved et uhell", en: "Triggered by accident", accidental: true),
        OutcomeCode(
            id: Outcome.escalatedMedical.rawValue, nb: "Trengte sykepleier, lege eller ambulanse",
            en: "Needed a nurse, doctor or ambulance"),
        OutcomeCode(
            id: Outcome.technical.rawValue, nb: "Teknisk feil på utstyret", en: "Technical fault in the equipment"),
        OutcomeCode(id: Outcome.other.rawValue, nb: "Annet – forklar i notatet", en: "Other – explain in the note"),
    ]
}
