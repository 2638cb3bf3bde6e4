/// Collects every error of one load instead of stopping at the first.
///
/// Readers report into it and carry on with what they could read, so one pass over the
/// files finds every problem.
final class Diagnostics {
    private(set) var errors: [ConfigError] = []

    func report(_ message: String, at position: Position) {
        errors.append(ConfigError(at: position, message))
    }

    func append(_ more: [ConfigError]) {
        errors.append(contentsOf: more)
    }
}
