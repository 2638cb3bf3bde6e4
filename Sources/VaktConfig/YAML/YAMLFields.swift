import Yams

/// The entries of a YAML mapping that passed the key check, looked up by key.
///
/// Built by `YAMLValue.fields(allowed:required:_:)`, which has already reported unknown and
/// missing keys; the typed accessors here return `nil` for an absent key without reporting.
struct YAMLFields {
    /// The mapping itself.
    let value: YAMLValue
    private let entries: [String: YAMLValue]
    private let keyPositions: [String: Position]

    init(value: YAMLValue, entries: [String: YAMLValue], keyPositions: [String: Position]) {
        self.value = value
        self.entries = entries
        self.keyPositions = keyPositions
    }

    subscript(key: String) -> YAMLValue? { entries[key] }

    /// Where a key is written, for errors about the key rather than its value.
    func keyPosition(_ key: String) -> Position { keyPositions[key] ?? value.position }

    func string(_ key: String, _ diagnostics: Diagnostics) -> String? {
        entries[key]?.nonEmptyString(diagnostics)
    }

    func bool(_ key: String, default fallback: Bool, _ diagnostics: Diagnostics) -> Bool {
        entries[key].flatMap { $0.bool(diagnostics) } ?? fallback
    }

    func strings(_ key: String, _ diagnostics: Diagnostics) -> [String] {
        entries[key].flatMap { $0.strings(diagnostics) } ?? []
    }

    func sequence(_ key: String, _ diagnostics: Diagnostics) -> [YAMLValue] {
        entries[key].flatMap { $0.sequence(diagnostics) } ?? []
    }
}

extension YAMLValue {
    /// Reads a mapping, reporting keys not in `allowed` (naming the allowed ones) and each
    /// key of `required` that is absent.
    ///
    /// - Returns: The fields, or `nil` (after reporting) if the value is not a mapping.
    func fields(allowed: [String], required: [String] = [], _ diagnostics: Diagnostics) -> YAMLFields? {
        guard case .mapping(let mapping) = node else {
            reportType("a mapping", diagnostics)
            return nil
        }
        var entries: [String: YAMLValue] = [:]
        var keyPositions: [String: Position] = [:]
        for (keyNode, valueNode) in mapping {
            let key = YAMLValue(node: keyNode, file: file, path: path)
            guard case .scalar(let scalar) = keyNode else {
                diagnostics.report("\(path): keys must be plain names, got \(key.kindDescription)", at: key.position)
                continue
            }
            guard allowed.contains(scalar.string) else {
                let place = path.isEmpty ? "" : "\(path): "
                diagnostics.report(
                    "\(place)unknown key '\(scalar.string)'; allowed keys: \(allowed.joined(separator: ", "))",
                    at: key.position)
                continue
            }
            entries[scalar.string] = child(scalar.string, valueNode)
            keyPositions[scalar.string] = key.position
        }
        for key in required where entries[key] == nil {
            diagnostics.report("\(path): missing required key '\(key)'", at: position)
        }
        return YAMLFields(value: self, entries: entries, keyPositions: keyPositions)
    }
}

extension YAMLValue {
    /// Reads a mapping whose keys are names the config chooses (attributes, rule ids), in
    /// file order.
    ///
    /// - Returns: The entries, or `nil` (after reporting) if the value is not a mapping.
    func entries(_ diagnostics: Diagnostics) -> [(String, YAMLValue)]? {
        guard case .mapping(let mapping) = node else {
            reportType("a mapping", diagnostics)
            return nil
        }
        var entries: [(String, YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            let key = YAMLValue(node: keyNode, file: file, path: path)
            guard let name = key.nonEmptyString(diagnostics) else { continue }
            entries.append((name, child(name, valueNode)))
        }
        return entries
    }
}
