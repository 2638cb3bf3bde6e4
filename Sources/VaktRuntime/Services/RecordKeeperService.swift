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
        try hub.handle(
            [],
            prelude: [
                .audit(
                    AuditEntry(
                        at: now, actor: "hub", action: .clockJumped,
                        detail: [
                            "wall_step_seconds": String(Int(step.rounded())),
                            "from": RFC3339.string(from: now.addingTimeInterval(-step), in: hub.site.timeZone),
                            "to": RFC3339.string(from: now, in: hub.site.timeZone),
                        ]))
            ])
    }

    /// Writes the checkpoint when the chain has grown since the last one.
    private func checkpoint(at now: Date) {
        do {
            guard let head = try hub.store.auditHead(), head.seq != lastCheckpoint?.seq else { return }
            let checkpoint = try hub.writeCheckpoint(seq: head.seq, hash: head.hash, at: now)
            lastCheckpoint = (checkpoint.seq, now)
            if failing {
                failing = false
                hub.logger.notice("audit checkpoint written again", metadata: ["seq": "\(head.seq)"])
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
        site.audit.checkpointFile
            ?? ((store.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
                "audit-checkpoint.json")
    }

    /// Writes the current chain head to the checkpoint file and the retained MQTT topic.
    @discardableResult
    func writeCheckpoint(seq: Int, hash: String, at now: Date) throws -> AuditCheckpoint {
        let checkpoint = AuditCheckpoint(site: site.id, seq: seq, hash: hash, writtenAt: now)
        try checkpoint.write(file: checkpointFile)
        currentPublisher?.publish(checkpoint: checkpoint)
        return checkpoint
    }

    /// Writes the checkpoint for the chain head as it is now (on shutdown).
    public func writeCheckpointNow() throws {
        guard let head = try store.auditHead() else { return }
        try writeCheckpoint(seq: head.seq, hash: head.hash, at: clock.now())
    }
}
