import Foundation
import Logging
import ServiceLifecycle
import VaktCore
import VaktNotify
import VaktStore

/// Delivers the outbox through the channels, at least once, with backoff.
///
/// Each due notification is attempted on its own task, so a slow endpoint never holds up
/// another. Every attempt's result goes back to the engine (which audits it, and escalates
/// on a final failure) in the same transaction that updates the outbox row.
public struct Dispatcher: Service {
    let hub: Hub
    let notifiers: [String: any Notifier]
    let policies: [String: RetryPolicy]
    let concurrency: Int
    /// Where each retry's spread comes from (a number in `0..<1`; 0.5 spreads nothing).
    let jitter: @Sendable () -> Double

    public init(
        hub: Hub, notifiers: [String: any Notifier], concurrency: Int = 8,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.hub = hub
        self.jitter = jitter
        self.notifiers = notifiers
        self.concurrency = concurrency
        var policies: [String: RetryPolicy] = [:]
        for channel in hub.site.channels {
            policies[channel.id] = RetryPolicy(maxAttempts: channel.maxAttempts)
        }
        self.policies = policies
    }

    public func run() async throws {
        let claims = DeliveryClaims(limit: concurrency)
        let unrecorded = Unrecorded()
        let site = SiteInfo(id: hub.site.id, name: hub.site.name)
        await cancelWhenGracefulShutdown {
            // Discarding: a plain task group keeps every finished child until it is awaited,
            // which grew the hub by kilobytes per notification (measured; docs/benchmarks.md).
            await withDiscardingTaskGroup { group in
                /// Starts an attempt on `item` unless its notification is held back (its last
                /// attempt could not be recorded) or cannot be claimed (see `DeliveryClaims`).
                func start(_ item: OutboxItem) {
                    guard !unrecorded.holds(item.notification.key), claims.claim(item) else { return }
                    group.addTask {
                        claims.release(item, recorded: await attempt(item, site: site, unrecorded: unrecorded))
                        hub.outboxWake.signal()
                    }
                }
                while !Task.isCancelled {
                    // What was just committed first, from memory: no read of the outbox, and no
                    // wait for the hub's lock on the way to a phone. Such a notification was
                    // committed due at once, at the clock's reading then. (One committed just
                    // before a clock step that cannot be recorded yet still goes; its record then
                    // fails, and it goes again after `unrecordedWait`, see `attempt`.)
                    let committedNow = hub.clock.now()
                    for item in hub.store.takeFreshlyQueued() where item.nextAttemptAt <= committedNow { start(item) }
                    // A step of the wall clock moves the pending attempts before any is judged
                    // due; one that cannot be recorded yet holds everything back (logged once).
                    if hub.noticeClockStep() != nil {
                        await hub.outboxWake.wait(until: hub.clock.now().addingTimeInterval(5), clock: hub.clock)
                        continue
                    }
                    let now = hub.clock.now()
                    let due: [OutboxItem]
                    do {
                        due = try hub.store.dueOutbox(at: now, limit: concurrency * 4)
                    } catch {
                        hub.logger.error("could not read the outbox: \(error); retrying in 5 s")
                        await hub.outboxWake.wait(until: now.addingTimeInterval(5), clock: hub.clock)
                        continue
                    }
                    for item in due { start(item) }
                    let next = (try? hub.store.nextOutboxDue()) ?? nil
                    // A due instant already past belongs to work in flight (or waiting for a free
                    // slot): its completion signals. Look again after a second at the latest.
                    let deadline = next.map { $0 > now ? $0 : now.addingTimeInterval(1) }
                    await hub.outboxWake.wait(until: deadline, clock: hub.clock)
                }
                group.cancelAll()
            }
        }
    }

    /// Makes one attempt and records it; returns whether it is on record.
    private func attempt(_ item: OutboxItem, site: SiteInfo, unrecorded: Unrecorded) async -> Bool {
        let notification = item.notification
        let attempt = item.attempts + 1
        let result: DeliveryResult
        var retryAfter: Double?
        let started = DispatchTime.now().uptimeNanoseconds
        if let notifier = notifiers[notification.channel] {
            let outcome = await notifier.attempt(notification, site: site)
            (result, retryAfter) = (outcome.result, outcome.retryAfter)
        } else {
            result = .failed(reason: "channel \(notification.channel) is not configured", retryable: false)
        }
        // Cut short by a shutdown: not an attempt on record; the row stays due for the next start.
        if Task.isCancelled { return false }
        hub.noteChannel(notification.channel, result: result)
        let policy = policies[notification.channel] ?? RetryPolicy(maxAttempts: 1)
        let final = policy.isFinal(attempt: attempt, result: result)
        let delay = policy.delay(afterAttempt: attempt, jitter: jitter(), retryAfter: retryAfter)
        let latency = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let report = DeliveryReport(
            notification: notification, attempt: attempt, result: result, final: final, latency: latency)
        if case .failed(let reason, _) = result {
            hub.logger.warning(
                "notification \(notification.key) attempt \(attempt) failed: \(reason)\(final ? " (giving up)" : "")")
        }
        do {
            try hub.recordDelivery(report, retryIn: final ? nil : delay)
            return true
        } catch let error as StoreError where error.code == .staleAttempt {
            // Made on a stale copy of the notification (never expected: `DeliveryClaims` is
            // there to stop it). The row is as the attempt that counted left it.
            hub.logger.error("delivery of \(notification.key) not recorded twice: \(error)")
            return true
        } catch {
            // The attempt happened but could not be recorded (a full disk); the row stays due.
            // Sent again at once, it would be sent round after round while the disk is full:
            // it waits, then goes again, which the idempotency key makes safe.
            unrecorded.hold(notification.key, seconds: Self.unrecordedWait)
            hub.logger.error(
                "could not record delivery of \(notification.key): \(error); tried again in \(Int(Self.unrecordedWait)) s"
            )
            return false
        }
    }
}

extension Dispatcher {
    /// How long a notification whose attempt could not be recorded waits before it goes again.
    static let unrecordedWait: Double = 30
}

/// Notifications whose last attempt could not be recorded, each held back until a monotonic
/// instant.
private final class Unrecorded: @unchecked Sendable {
    private let lock = NSLock()
    private var until: [String: UInt64] = [:]

    func hold(_ key: String, seconds: Double) {
        lock.withLock { until[key] = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9) }
    }

    func holds(_ key: String) -> Bool {
        lock.withLock {
            guard let end = until[key] else { return false }
            if DispatchTime.now().uptimeNanoseconds < end { return true }
            until[key] = nil
            return false
        }
    }
}

/// What the dispatcher asks before it starts an attempt, from the outbox or from memory
/// (`Store.takeFreshlyQueued`): whether the notification is being attempted already, and
/// whether the copy in hand is stale.
///
/// The dispatcher can hold a copy of a notification that an attempt has overtaken: the
/// outbox read in the same turn as the hand-over (whose snapshot was taken before the first
/// attempt was recorded), or a hand-over taken after the read started it. A copy whose
/// `attempts` is below what a recorded attempt left is stale, and not started.
final class DeliveryClaims: @unchecked Sendable {
    /// Recorded attempts remembered: far more than can end between a commit or a read and the
    /// claims made from it in the same turn of the dispatcher's loop.
    static let remembered = 1024

    private let lock = NSLock()
    private let limit: Int
    private var inFlight = Set<String>()
    /// Attempts on record per key (the most any attempt recorded here left), with the stamp
    /// of its last update.
    private var recorded: [String: (made: Int, stamp: UInt64)] = [:]
    /// Updates in order, oldest first; an entry whose stamp is no longer its key's is spent.
    private var updates: [(key: String, stamp: UInt64)] = []
    private var stamp: UInt64 = 0

    /// `limit`: how many attempts may be in flight at once.
    init(limit: Int) {
        self.limit = limit
    }

    /// Claims `item` for an attempt. False when the limit is reached, when it is in flight,
    /// or when the copy is stale.
    func claim(_ item: OutboxItem) -> Bool {
        let key = item.notification.key
        return lock.withLock {
            guard inFlight.count < limit, !inFlight.contains(key) else { return false }
            if let made = recorded[key]?.made, made > item.attempts { return false }
            inFlight.insert(key)
            return true
        }
    }

    /// The attempt on `item` has ended; `recorded`: it is on record (one more attempt than the
    /// item had; a stale attempt, refused by the store, never lowers what is remembered). An
    /// attempt not on record (a full disk, a shutdown) leaves the row as it was, so the copy
    /// stays good. The keys updated longest ago are forgotten first.
    func release(_ item: OutboxItem, recorded isRecorded: Bool) {
        let key = item.notification.key
        lock.withLock {
            inFlight.remove(key)
            guard isRecorded else { return }
            stamp += 1
            recorded[key] = (max(recorded[key]?.made ?? 0, item.attempts + 1), stamp)
            updates.append((key, stamp))
            while recorded.count > Self.remembered, !updates.isEmpty {
                let oldest = updates.removeFirst()
                if recorded[oldest.key]?.stamp == oldest.stamp { recorded[oldest.key] = nil }
            }
            // Spent entries pile up while few keys are updated often: drop them now and then.
            if updates.count > 4 * Self.remembered {
                updates.removeAll { recorded[$0.key]?.stamp != $0.stamp }
            }
        }
    }
}
