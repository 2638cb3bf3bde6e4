import Foundation
import Logging
import ServiceLifecycle
import VaktCore
import VaktStore

/// Keeps the record honest while the hub runs: writes the audit chain head down outside the
/// database (a checkpoint file and a retained MQTT message) when it has grown, and puts wall
/// clock steps on record.
///
/// Looks every 10 seconds; checkpoints at most every `audit.checkpoint_every` (default 5 min).
public struct RecordKeeperService: Service {
    let hub: Hub
    /// Between looks, in seconds.
    static let lookInterval: Double = 10

    public init(hub: Hub) { self.hub = hub }

    public func run() async throws {
        let keeper = RecordKeeper(hub: hub)
        await hub.runPasses(
            "keep the audit checkpoint", wake: nil, pass: { try keeper.pass() },
            next: { [hub] in hub.clock.now().addingTimeInterval(Self.lookInterval) })
    }
}

/// The state of the record keeper between passes.
public final class RecordKeeper: @unchecked Sendable {
    private let hub: Hub
    private let lock = NSLock()
    private var watch = ClockWatch()
    private var lastCheckpoint: (seq: Int, at: Date)?
    private var failing = false

    public init(hub: Hub) { self.hub = hub }

    /// Looks at the clocks, and writes a checkpoint if one is due and the chain has grown.
    public func pass() throws {
        try lock.withLock {
            let now = hub.clock.now()
            if let monotonic = hub.clock.monotonicSeconds(), let step = watch.look(wall: now, monotonic: monotonic) {
                try recordClockStep(step, at: now)
                watch.accept(wall: now, monotonic: monotonic)
                // Checkpoint times measured on the old wall clock mean nothing now.
                lastCheckpoint = lastCheckpoint.map { ($0.seq, now) }
            }
            let due = lastCheckpoint.map { now.timeIntervalSince($0.at) >= hub.site.audit.checkpointInterval } ?? true
            if due { checkpoint(at: now) }
        }
    }

    private func recordClockStep(_ step: Double, at now: Date) throws {
        let direction = step > 0 ? "ahead" : "back"
        hub.logger.warning(
            "the wall clock jumped \(direction) by \(Int(abs(step).rounded())) s; timers and device silence follow the wall clock, so escalations due now may fire early (clock ahead) or late by the step (clock back)"
        )
        try hub.record(
            .clockJumped,
            detail: [
                "wall_step_seconds": String(Int(step.rounded())),
                "from": RFC3339.string(from: now.addingTimeInterval(-step), in: hub.site.timeZone),
                "to": RFC3339.string(from: now, in: hub.site.timeZone),
            ])
    }

    /// Writes the checkpoint when the chain has grown since the last one.
    private func checkpoint(at now: Date) {
        do {
            guard let checkpoint = try hub.writeCheckpoint(unlessAt: lastCheckpoint?.seq) else { return }
            lastCheckpoint = (checkpoint.seq, now)
            if failing {
                failing = false
                hub.logger.notice("audit checkpoint written again", metadata: ["seq": "\(checkpoint.seq)"])
            }
        } catch {
            // Loud once per failure streak, then quiet: the hub keeps running and retries.
            if !failing {
                hub.logger.error(
                    "cannot write the audit checkpoint: \(error); a cut-off log could go unnoticed until this is fixed")
            }
            failing = true
        }
    }
}

extension Hub {
    /// Where the checkpoint file goes: `audit.checkpoint_file`, else beside the database.
    public var checkpointFile: String {
        AuditCheckpoint.file(
            configured: site.audit.checkpointFile, dataDirectory: (store.path as NSString).deletingLastPathComponent)
    }

    /// Writes the chain head as it is now to the checkpoint file and the retained MQTT topic,
    /// unless the log is empty or its head is still record `seq` (already written down).
    @discardableResult
    public func writeCheckpoint(unlessAt seq: Int? = nil) throws -> AuditCheckpoint? {
        guard let head = try store.auditHead(), head.seq != seq else { return nil }
        let checkpoint = AuditCheckpoint(site: site.id, seq: head.seq, hash: head.hash, writtenAt: clock.now())
        try checkpoint.write(file: checkpointFile)
        currentPublisher?.publish(checkpoint: checkpoint)
        return checkpoint
    }

    /// Appends one audit entry by the hub itself (its start and stop, a clock step), in its
    /// own transaction.
    public func record(_ action: AuditAction, detail: [String: String]) throws {
        try handle([], prelude: [.audit(AuditEntry(at: clock.now(), actor: "hub", action: action, detail: detail))])
    }

}
