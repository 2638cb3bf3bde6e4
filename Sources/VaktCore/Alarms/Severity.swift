/// How urgent an alarm is. Ordered: `critical` is the highest.
public enum Severity: String, Sendable, Equatable, Comparable, CaseIterable, Codable {
    case low
    case medium
    case high
    case critical

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}
