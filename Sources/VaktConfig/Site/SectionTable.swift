/// Which top-level sections the files of a config directory hold, and where.
///
/// Each section may appear in only one file; a second one is reported at its key.
struct SectionTable {
    /// Every known section, in the order they are read.
    static let known = [
        "site", "broker", "data", "profiles", "rooms", "residents", "staff", "groups", "bridges", "devices",
        "channels", "policies", "rules", "proof", "audit", "report", "roster", "silences", "outcomes", "templates",
    ]

    private var values: [String: YAMLValue] = [:]
    private var keyPositions: [String: Position] = [:]

    subscript(section: String) -> YAMLValue? { values[section] }

    /// No file contributed a section (or there were no files).
    var isEmpty: Bool { values.isEmpty }

    /// Where a section's key is written.
    func keyPosition(_ section: String) -> Position? { keyPositions[section] }

    /// Adds the sections of one file's root mapping.
    mutating func add(_ root: YAMLValue, _ diagnostics: Diagnostics) {
        guard case .mapping(let mapping) = root.node else {
            diagnostics.report(
                "expected a mapping of sections (\(Self.known.joined(separator: ", "))) at the top, got \(root.kindDescription)",
                at: root.position)
            return
        }
        for (keyNode, valueNode) in mapping {
            let key = YAMLValue(node: keyNode, file: root.file, path: "")
            guard case .scalar(let scalar) = keyNode, Self.known.contains(scalar.string) else {
                let name = keyNode.scalar?.string ?? key.kindDescription
                diagnostics.report(
                    "unknown section '\(name)'; allowed sections: \(Self.known.joined(separator: ", "))",
                    at: key.position)
                continue
            }
            let section = scalar.string
            if let first = keyPositions[section] {
                diagnostics.report("section '\(section)' appears again (first at \(first))", at: key.position)
                continue
            }
            values[section] = root.child(section, valueNode)
            keyPositions[section] = key.position
        }
    }
}
