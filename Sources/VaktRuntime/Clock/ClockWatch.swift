import Foundation

/// Notices the wall clock stepping: between two looks, the wall clock moved by a different
/// amount than the monotonic clock did.
///
/// Timers, retries and device silence are wall-clock instants: on a step the engine moves
/// them all by as much (`Input.clockStep`) and puts the step on record (`clock.jumped`).
/// Night windows and reports follow the new wall time.
public struct ClockWatch: Sendable {
    /// Steps smaller than this are ordinary NTP corrections and are not reported.
    public static let threshold: Double = 5

    private var last: (wall: Date, monotonic: Double)?

    public init() {}

    /// Takes a look; returns the step in seconds (positive: the wall clock jumped ahead) when
    /// the wall clock moved at least ``threshold`` more or less than the monotonic one.
    public mutating func look(wall: Date, monotonic: Double) -> Double? {
        defer { last = (wall, monotonic) }
        guard let last else { return nil }
        let step = wall.timeIntervalSince(last.wall) - (monotonic - last.monotonic)
        return abs(step) >= Self.threshold ? step : nil
    }
}
