import Foundation
import VaktCore
import VaktStore

/// The two clocks read together and written down (`meta.clock_reference`), so a hub started
/// again on the same boot can tell a wall-clock step made while it was stopped from time
/// that passed.
struct ClockReference: Codable, Equatable {
    /// The kernel's id of this boot: the monotonic clock counts from the boot.
    var boot: String
    var wall: Double
    var monotonic: Double
    /// `true` when the hub started on this boot not knowing what the clock read when the state
    /// it restored was written, and the clock has not stepped since (see ``ClockStep``).
    var frameUnknown: Bool?

    static let metaKey = "clock_reference"
}

/// A wall-clock step was found and could not be put on record (the store refuses writes):
/// nothing is handled at the new wall time until it is.
struct ClockStepPending: Error, CustomStringConvertible {
    let step: Double
    let underlying: any Error

    var description: String {
        "the wall clock stepped \(Int(step.rounded())) s and the step could not be recorded: \(underlying)"
    }
}

extension Hub {
    /// Looks at the clocks; a step found is committed (``ClockStep``) before anything else is
    /// handled at the new time. Returns the error when a step was found and could not be
    /// committed (a full disk; logged once): the caller must not go on at the new time.
    @discardableResult
    func noticeClockStep() -> ClockStepPending? {
        withLock {
            guard let monotonic = clock.monotonicSeconds() else { return nil }
            let now = clock.now()
            guard let step = clockWatch.look(wall: now, monotonic: monotonic) else { return nil }
            do {
                try commitClockStep(seconds: step, noticed: .running, monotonic: monotonic)
                clockWatch.accept(wall: now, monotonic: monotonic)
                clockStepFailing = false
                logStep(step, while: "while running")
                return nil
            } catch {
                if !clockStepFailing {
                    logger.error(
                        "the wall clock jumped \(Int(step.rounded())) s, and the pending timers could not be moved with it: \(error); nothing is handled at the new time until they are"
                    )
                }
                clockStepFailing = true
                return ClockStepPending(step: step, underlying: error)
            }
        }
    }

    /// At start: compares the clocks with the reference the hub wrote down before it stopped
    /// (or was killed), on the same boot, and commits a step made in between. Writes the
    /// reference afresh.
    public func noticeClockStepWhileStopped() throws {
        try withLock {
            guard let monotonic = clock.monotonicSeconds(), let boot = clock.bootID() else { return }
            let now = clock.now()
            let stored = try store.meta()[ClockReference.metaKey].flatMap {
                try? JSONDecoder().decode(ClockReference.self, from: Data($0.utf8))
            }
            writtenSinceStart = []
            if let stored, stored.boot == boot {
                // The same boot: the reference says whether the clock was trusted then.
                frameKnown = stored.frameUnknown != true
                let step = (now.timeIntervalSince1970 - stored.wall) - (monotonic - stored.monotonic)
                if abs(step) >= ClockWatch.threshold {
                    // Untrusted, the step is the clock being set: what was written before it
                    // stays where it is (it fires early rather than late), as on a new boot.
                    try commitClockStep(seconds: step, noticed: .stopped, monotonic: monotonic)
                    logStep(step, while: "while the hub was stopped")
                }
            } else {
                // Another boot (or a store from before references were kept): the clock may
                // read differently from when the state was written, and nothing can tell by
                // how much. A step from here moves only what is written from here.
                frameKnown = false
                if stored != nil {
                    logger.notice(
                        "started on a new boot: a clock step (NTP setting the time) will move only the timers set from now on"
                    )
                }
            }
            clockWatch.accept(wall: now, monotonic: monotonic)
            try writeClockReference()
        }
    }

    /// Writes the clocks down to `meta.clock_reference` as last read in agreement (the
    /// record keeper does every 5 minutes, the hub at start and stop). While a step is waiting to
    /// be recorded the reference stays from before it, so the next start still finds it.
    public func writeClockReference() throws {
        try withLock {
            guard let last = clockWatch.reference,
                let entry = try clockReference(wall: last.wall, monotonic: last.monotonic, frameKnown: frameKnown)
            else { return }
            try store.setMeta([entry])
        }
    }

    /// The `meta` entry for the clocks read at `wall` and `monotonic`; `nil` without a boot id.
    func clockReference(wall: Date, monotonic: Double, frameKnown: Bool) throws -> (key: String, value: String)? {
        guard let boot = clock.bootID() else { return nil }
        let reference = ClockReference(
            boot: boot, wall: wall.timeIntervalSince1970, monotonic: monotonic, frameUnknown: frameKnown ? nil : true)
        return (ClockReference.metaKey, String(decoding: try JSONEncoder().encode(reference), as: UTF8.self))
    }

    /// Whether `error` says the store cannot write at all now (a full disk), rather than that
    /// one write is wrong.
    static func isResourceFailure(_ error: any Error) -> Bool {
        if let pending = error as? ClockStepPending { return StoreError.isResource(pending.underlying) }
        return StoreError.isResource(error)
    }

    private func logStep(_ step: Double, while when: String) {
        logger.warning(
            "the wall clock jumped \(step > 0 ? "ahead" : "back") by \(Int(abs(step).rounded())) s \(when); every pending timer, wait and open alarm moved with it, so escalations keep their delays"
        )
    }
}

/// Inputs committed together met one that must go alone (a command, a wall-clock step):
/// they go one by one.
struct OneByOne: Error, CustomStringConvertible {
    var description: String { "inputs to be taken one by one" }
}
