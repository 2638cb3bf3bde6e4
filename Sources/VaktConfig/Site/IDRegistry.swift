/// The ids a configuration declares and the references it makes, checked once every file is read.
///
/// Declaring an id twice is reported at once (naming where it first appeared). References are
/// kept and checked at the end, so a device may name a room from a file read later.
final class IDRegistry {
    /// The kinds of things configuration gives ids to.
    enum Kind: String, CaseIterable {
        case room, resident
        case staff = "staff member"
        case group, device, channel, policy, rule, shift
        case bridge = "bridge or receiver"
        case nextOfKin = "next of kin"
        case profile = "device profile"
        case topic = "device topic"
        case port = "serial port"
        case contactID = "Contact ID account and zone"
    }

    private struct Reference {
        var kind: Kind
        var id: String
        var value: YAMLValue
    }

    private var declared: [Kind: [String: Position]] = [:]
    private var references: [Reference] = []

    /// Records an id; a second declaration of the same kind is reported at its own position.
    func declare(_ kind: Kind, _ id: String, at value: YAMLValue, _ diagnostics: Diagnostics) {
        if let first = declared[kind]?[id] {
            let noun = [.topic, .port, .contactID].contains(kind) ? kind.rawValue : "\(kind.rawValue) id"
            let place = first.file == value.file ? "line \(first.line)" : first.description
            diagnostics.report("\(value.path): duplicate \(noun) '\(id)' (first at \(place))", at: value.position)
            return
        }
        declared[kind, default: [:]][id] = value.position
    }

    /// Records an id that needs no position (device profiles come from the catalogue).
    func declare(_ kind: Kind, _ ids: some Sequence<String>) {
        for id in ids { declared[kind, default: [:]][id] = .start(of: "") }
    }

    /// Records that `value` names a `kind` with `id`; checked by `checkReferences`.
    func refer(_ kind: Kind, _ id: String, at value: YAMLValue) {
        references.append(Reference(kind: kind, id: id, value: value))
    }

    /// Whether an id has been declared.
    func contains(_ kind: Kind, _ id: String) -> Bool { declared[kind]?[id] != nil }

    /// Reports each reference to an id that was never declared, except kinds in `skipping`
    /// (a catalogue that could not be read would otherwise flag every device).
    func checkReferences(_ diagnostics: Diagnostics, skipping: Set<Kind> = []) {
        for reference in references where !skipping.contains(reference.kind) {
            guard !contains(reference.kind, reference.id) else { continue }
            diagnostics.report(
                "\(reference.value.path): unknown \(reference.kind.rawValue) '\(reference.id)'",
                at: reference.value.position)
        }
    }
}
