import Foundation
import Logging
import ServiceLifecycle
import VaktCore
import VaktStore

/// Keeps the record honest while the hub runs: writes the audit chain head down outside the
/// database (a checkpoint file and a retained MQTT message) when it has grown, looks for wall
/// clock steps, and writes the clocks down for the next start.
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
    /// The last checkpoint's chain head, and when it was written on the monotonic clock (the
    /// wall clock may step between two).
    private var lastCheckpoint: (seq: Int, at: Double)?
    private var failing = false
    /// When the clocks were last written down (monotonic seconds).
    private var lastReference: Double?
    private var referenceFailing = false

    /// How often the clocks are written down. Any reference from this boot tells a step made
    /// while the hub was stopped (a step made while it ran writes its own): this only keeps
    /// NTP's slow slewing since the last one under the 5 s a step must reach (at most 0.15 s
    /// in 5 minutes), without a write to the disk every few seconds.
    static let referenceInterval: Double = 300

    public init(hub: Hub) { self.hub = hub }

    /// Looks at the clocks (a step moves the pending timers, see `ClockStep`), writes them
    /// down for the next start when due, and writes a checkpoint if one is due and the chain
    /// has grown.
    public func pass() throws {
        lock.withLock {
            hub.noticeClockStep()
            let now = hub.clock.monotonicSeconds() ?? hub.clock.now().timeIntervalSince1970
            if lastReference.map({ now - $0 >= Self.referenceInterval }) ?? true { writeClockReference(at: now) }
            let due = lastCheckpoint.map { now - $0.at >= hub.site.audit.checkpointInterval } ?? true
            if due { checkpoint(at: now) }
        }
    }

    /// Writes the clocks down; loud once per failure streak.
    private func writeClockReference(at now: Double) {
        do {
            try hub.writeClockReference()
            lastReference = now
            referenceFailing = false
        } catch {
            if !referenceFailing {
                hub.logger.error(
                    "cannot write the clock reference: \(error); a clock step while the hub is stopped would go unnoticed"
                )
            }
            referenceFailing = true
        }
    }

    /// Writes the checkpoint when the chain has grown since the last one.
    private func checkpoint(at now: Double) {
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
