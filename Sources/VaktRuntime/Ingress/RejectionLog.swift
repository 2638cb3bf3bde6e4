import Foundation
import Logging

/// Logs rejected input at most once a minute per source, with a count of what was held back,
/// so a device spewing garbage cannot flood the log. Every rejection is still counted.
struct RejectionLog: Sendable {
    private struct Entry: Sendable {
        var lastLogged: Date
        var suppressed: Int
    }

    private var entries: [String: Entry] = [:]
    private(set) var counts: [String: Int] = [:]
    let interval: TimeInterval

    init(interval: TimeInterval = 60) { self.interval = interval }

    /// Counts a rejection; returns the line to log now, or `nil` when it is held back.
    mutating func note(source: String, reason: String, at now: Date) -> String? {
        counts[source, default: 0] += 1
        if var entry = entries[source], now.timeIntervalSince(entry.lastLogged) < interval {
            entry.suppressed += 1
            entries[source] = entry
            return nil
        }
        let held = entries[source]?.suppressed ?? 0
        entries[source] = Entry(lastLogged: now, suppressed: 0)
        let tail = held > 0 ? " (\(held) more from this source in the last minute not logged)" : ""
        return "rejected input from \(source): \(reason)\(tail)"
    }

    var total: Int { counts.values.reduce(0, +) }
}
