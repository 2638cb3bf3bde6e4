import Foundation

/// Notices the wall clock stepping: between two looks, the wall clock moved by a different
/// amount than the monotonic clock did.
///
/// Timers, device silence, night windows, reports and the audit's own times all follow the
/// wall clock, so a step is put on record (`clock.jumped`): the record then explains an
/// escalation that came early or late by the step.
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
