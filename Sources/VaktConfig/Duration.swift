import Foundation

/// Reads a duration as written in configuration: `"0"`, `"0s"`, `"90s"`, `"2m"`, `"1h"`,
/// `"1h30m"`, `"1.5m"`, `"30d"`.
///
/// A duration is one or more parts, each a non-negative number followed by `d`, `h`, `m` or `s`,
/// with units from largest to smallest and each at most once. A bare `0` is allowed; any other
/// number without a unit is rejected, since "5" could mean seconds or minutes.
///
/// - Returns: The duration in seconds, or `nil` if the text is not a duration.
public func parseDuration(_ text: String) -> Double? {
    let text = text.trimmingCharacters(in: .whitespaces)
    if text == "0" { return 0 }
    let units: [Character: Double] = ["d": 86_400, "h": 3600, "m": 60, "s": 1]
    let order: [Character] = ["d", "h", "m", "s"]
    var total = 0.0
    var number = ""
    var lastUnitIndex = -1
    for character in text {
        if character.isASCII, character.isNumber || character == "." {
            number.append(character)
        } else if let unitIndex = order.firstIndex(of: character), let scale = units[character] {
            guard unitIndex > lastUnitIndex, let value = Double(number), value >= 0 else { return nil }
            total += value * scale
            lastUnitIndex = unitIndex
            number = ""
        } else {
            return nil
        }
    }
    guard number.isEmpty, lastUnitIndex >= 0, total.isFinite else { return nil }
    return total
}

/// Writes seconds the way configuration does: `0s`, `90s` as `1m30s`, `2m`, `1h30m`.
func formatDuration(_ seconds: Double) -> String {
    guard seconds > 0 else { return "0s" }
    var rest = seconds
    var text = ""
    let days = (rest / 86_400).rounded(.down)
    if days > 0 {
        text += "\(Int(days))d"
        rest -= days * 86_400
    }
    let hours = (rest / 3600).rounded(.down)
    if hours > 0 {
        text += "\(Int(hours))h"
        rest -= hours * 3600
    }
    let minutes = (rest / 60).rounded(.down)
    if minutes > 0 {
        text += "\(Int(minutes))m"
        rest -= minutes * 60
    }
    if rest > 0 {
        text += rest == rest.rounded() ? "\(Int(rest))s" : "\(rest)s"
    }
    return text
}
