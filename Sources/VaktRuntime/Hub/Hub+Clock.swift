import Foundation
import VaktCore

/// The two clocks read together and written down (`meta.clock_reference`), so a hub started
/// again on the same boot can tell a wall-clock step made while it was stopped from time
/// that passed.
struct ClockReference: Codable, Equatable {
    /// The kernel's id of this boot: the monotonic clock counts from the boot.
    var boot: String
    var wall: Double
    var monotonic: Double

    static let metaKey = "clock_reference"
}

extension Hub {
    /// Looks at the clocks; a step found is committed (``ClockStep``) before anything else is
    /// handled at the new time. A step whose commit fails (a full disk) is logged once and
    /// looked for again before the next input.
    func noticeClockStep() {
        withLock {
            guard let monotonic = clock.monotonicSeconds() else { return }
            let now = clock.now()
            guard let step = clockWatch.look(wall: now, monotonic: monotonic) else { return }
            do {
                try commitClockStep(seconds: step, noticed: "running")
                clockWatch.accept(wall: now, monotonic: monotonic)
                clockStepFailing = false
                logStep(step, while: "while running")
            } catch {
                if !clockStepFailing {
                    logger.error(
                        "the wall clock jumped \(Int(step.rounded())) s, and the pending timers could not be moved with it: \(error); tried again before the next input"
                    )
                }
                clockStepFailing = true
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
            if let stored, stored.boot == boot {
                frameKnown = true
                let step = (now.timeIntervalSince1970 - stored.wall) - (monotonic - stored.monotonic)
                if abs(step) >= ClockWatch.threshold {
                    try commitClockStep(seconds: step, noticed: "stopped")
                    logStep(step, while: "while the hub was stopped")
                }
            } else {
                // Another boot (or a store from before references were kept): the clock may
                // read differently from when the state was written, and nothing can tell by
                // how much. A step from here moves only what is written from here.
                frameKnown = false
                writtenSinceStart = []
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

    /// Writes the clocks as they read now to `meta.clock_reference` (the record keeper does
    /// every 10 s, and the hub at start and stop).
    public func writeClockReference() throws {
        guard let monotonic = clock.monotonicSeconds(), let boot = clock.bootID() else { return }
        let reference = ClockReference(boot: boot, wall: clock.now().timeIntervalSince1970, monotonic: monotonic)
        let json = String(decoding: try JSONEncoder().encode(reference), as: UTF8.self)
        try store.setMeta([(ClockReference.metaKey, json)])
    }

    private func logStep(_ step: Double, while when: String) {
        logger.warning(
            "the wall clock jumped \(step > 0 ? "ahead" : "back") by \(Int(abs(step).rounded())) s \(when); every pending timer, wait and open alarm moved with it, so escalations keep their delays"
        )
    }
}
