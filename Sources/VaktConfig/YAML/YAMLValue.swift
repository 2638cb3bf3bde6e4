import Yams

/// A YAML node with the file and key path it came from, so every problem has a position.
///
/// Paths read like `residents[2].next_of_kin[0].consent`: they name the value in messages,
/// and the node's mark gives the line and column.
struct YAMLValue {
    let node: Node
    let file: String
    /// The key path from the top of the file, e.g. `devices[3].room`.
    let path: String

    /// Where the node starts; the start of the file if Yams gave no mark.
    var position: Position {
        guard let mark = node.mark else { return .start(of: file) }
        return Position(file: file, line: mark.line, column: mark.column)
    }

    /// The value under a mapping key.
    func child(_ key: String, _ node: Node) -> YAMLValue {
        YAMLValue(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The value at an index of a sequence.
    func element(_ index: Int, _ node: Node) -> YAMLValue {
        YAMLValue(node: node, file: file, path: "\(path)[\(index)]")
    }

    /// What the node is, for "expected X, got Y" messages.
    var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .alias: return "an alias"
        case .scalar:
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return "nothing (null)"
            case Tag.Name.bool.rawValue: return "a boolean"
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue: return "a number"
            default: return "a string"
            }
        }
    }

    /// Whether the node is a plain `null`, `~` or empty value.
    var isNull: Bool {
        guard case .scalar = node else { return false }
        return node.tag.rawValue == Tag.Name.null.rawValue
    }

    /// Reports "`path`: expected `what`, got ..." at this value.
    func reportType(_ what: String, _ diagnostics: Diagnostics) {
        diagnostics.report("\(path): expected \(what), got \(kindDescription)", at: position)
    }
}
