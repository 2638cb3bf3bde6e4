import Foundation
import Yams

/// Reads one YAML file into a node tree with positions, reporting syntax errors where they are.
enum YAMLFile {
    /// Parses the file at `path` (the path as it appears in errors).
    ///
    /// - Returns: The root value, or `nil` if the file is empty, unreadable or not valid YAML
    ///   (the last two reported at their position).
    static func read(_ path: String, _ diagnostics: Diagnostics) -> YAMLValue? {
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.report("cannot read the file", at: .start(of: path))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.report("the file is not UTF-8 text", at: .start(of: path))
            return nil
        }
        return parse(text, file: path, diagnostics)
    }

    /// Parses YAML text that came from `file`.
    static func parse(_ text: String, file: String, _ diagnostics: Diagnostics) -> YAMLValue? {
        do {
            guard let node = try Yams.compose(yaml: text) else { return nil }
            return YAMLValue(node: node, file: file, path: "")
        } catch let error as YamlError {
            report(error, file: file, diagnostics)
        } catch {
            diagnostics.report("YAML syntax error: \(error)", at: .start(of: file))
        }
        return nil
    }

    private static func report(_ error: YamlError, file: String, _ diagnostics: Diagnostics) {
        func at(_ mark: Mark) -> Position { Position(file: file, line: mark.line, column: mark.column) }
        func explain(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return "YAML syntax error: \(problem)" }
            return "YAML syntax error: \(problem) (\(context.text) at line \(context.mark.line))"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            diagnostics.report(explain(problem, context), at: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            diagnostics.report("YAML error: key \(keys) appears more than once in one mapping", at: at(context.mark))
        default:
            diagnostics.report("YAML syntax error: \(error)", at: .start(of: file))
        }
    }
}
