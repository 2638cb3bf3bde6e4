import Foundation

/// Notices the wall clock stepping: between two looks, the wall clock moved by a different
/// amount than the monotonic clock did.
///
/// Timers, device silence, night windows, reports and the audit's own times all follow the
/// wall clock, so the hub puts a step on record (`clock.jumped`) and moves what is pending
/// with it (`ClockStep`).
public struct ClockWatch: Sendable {
    /// Steps smaller than this are ordinary NTP corrections and are not reported.
    public static let threshold: Double = 5

    private var last: (wall: Date, monotonic: Double)?

    public init() {}

    /// Takes a look; returns the step in seconds (positive: the wall clock jumped ahead) when
    /// the wall clock moved at least ``threshold`` more or less than the monotonic one.
    ///
    /// A step found is reported again on the next look until ``accept(wall:monotonic:)``
    /// says it was recorded: a step whose record failed to commit is not forgotten.
    public mutating func look(wall: Date, monotonic: Double) -> Double? {
        guard let last else {
            accept(wall: wall, monotonic: monotonic)
            return nil
        }
        let step = wall.timeIntervalSince(last.wall) - (monotonic - last.monotonic)
        guard abs(step) >= Self.threshold else {
            accept(wall: wall, monotonic: monotonic)
            return nil
        }
        return step
    }

    /// Takes this look as the reference for the next one (after a step has been recorded).
    public mutating func accept(wall: Date, monotonic: Double) {
        last = (wall, monotonic)
    }

    /// The last clocks accepted as agreeing (before a step not yet recorded, if one is).
    public var reference: (wall: Date, monotonic: Double)? { last }
}
