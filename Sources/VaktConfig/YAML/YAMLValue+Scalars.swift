import Foundation
import Yams

extension YAMLValue {
    /// The text of a scalar, whatever YAML would resolve it to: `101` reads as `"101"`.
    ///
    /// Reports and returns `nil` for null, sequences and mappings.
    func string(_ diagnostics: Diagnostics) -> String? {
        guard case .scalar(let scalar) = node, !isNull else {
            reportType("a string", diagnostics)
            return nil
        }
        return scalar.string
    }

    /// A non-empty string, for ids and names.
    func nonEmptyString(_ diagnostics: Diagnostics) -> String? {
        guard let text = string(diagnostics) else { return nil }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            diagnostics.report("\(path): must not be empty", at: position)
            return nil
        }
        return text
    }

    /// `true` or `false`. Quoted `"true"` is a string and is rejected, like `yes` in a typo.
    func bool(_ diagnostics: Diagnostics) -> Bool? {
        guard case .scalar = node, node.tag.rawValue == Tag.Name.bool.rawValue, let value = node.bool else {
            reportType("true or false", diagnostics)
            return nil
        }
        return value
    }

    /// A whole number.
    func int(_ diagnostics: Diagnostics) -> Int? {
        guard case .scalar = node, node.tag.rawValue == Tag.Name.int.rawValue, let value = node.int else {
            reportType("a whole number", diagnostics)
            return nil
        }
        return value
    }

    /// A duration such as `90s`, `2m` or `1h30m`, in seconds. See `parseDuration(_:)`.
    func duration(_ diagnostics: Diagnostics) -> Double? {
        guard let text = string(diagnostics) else { return nil }
        guard let seconds = parseDuration(text) else {
            diagnostics.report(
                "\(path): bad duration '\(text)'; write a number with a unit, e.g. 0, 90s, 2m or 1h30m",
                at: position)
            return nil
        }
        // Longer than any retention a site keeps: a typo, and a number that would overflow
        // the arithmetic done with it.
        guard seconds <= Self.longestDuration else {
            diagnostics.report("\(path): '\(text)' is longer than 100 years (36500d)", at: position)
            return nil
        }
        return seconds
    }

    /// The longest duration any setting takes, in seconds (100 years).
    static let longestDuration: Double = 36_500 * 86_400

    /// A duration above zero; `nil` (reported) if bad or zero.
    func positiveDuration(_ diagnostics: Diagnostics) -> Double? {
        guard let seconds = duration(diagnostics) else { return nil }
        guard seconds > 0 else {
            diagnostics.report("\(path): must be longer than 0", at: position)
            return nil
        }
        return seconds
    }

    /// One of an enumeration's raw values, e.g. a staff role or a severity.
    func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type, _ diagnostics: Diagnostics)
        -> Choice? where Choice.RawValue == String
    {
        choice(from: Array(Choice.allCases), diagnostics)
    }

    /// One of `allowed`, by raw value; anything else is reported with the allowed values.
    func choice<Choice: RawRepresentable>(from allowed: [Choice], _ diagnostics: Diagnostics) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(diagnostics) else { return nil }
        guard let value = allowed.first(where: { $0.rawValue == text }) else {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            diagnostics.report("\(path): bad value '\(text)'; allowed: \(names)", at: position)
            return nil
        }
        return value
    }

    /// The elements of a sequence.
    func sequence(_ diagnostics: Diagnostics) -> [YAMLValue]? {
        guard case .sequence(let sequence) = node else {
            reportType("a sequence", diagnostics)
            return nil
        }
        return sequence.enumerated().map { element($0.offset, $0.element) }
    }

    /// A sequence of strings; bad elements are reported and left out.
    func strings(_ diagnostics: Diagnostics) -> [String]? {
        sequence(diagnostics)?.compactMap { $0.string(diagnostics) }
    }
}
