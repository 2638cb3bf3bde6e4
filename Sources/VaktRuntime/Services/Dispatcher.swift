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
        let inFlight = InFlight()
        let unrecorded = Unrecorded()
        let site = SiteInfo(id: hub.site.id, name: hub.site.name)
        await cancelWhenGracefulShutdown {
            // Discarding: a plain task group keeps every finished child until it is awaited,
            // which grew the hub by kilobytes per notification (measured; docs/benchmarks.md).
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    // What was just committed first, from memory: no read of the outbox, and no
                    // wait for the hub's lock on the way to a phone. Such a notification is due
                    // at once and was committed after any clock step before it.
                    for item in hub.store.takeFreshlyQueued()
                    where !inFlight.attempted(item.notification.key) && inFlight.count < concurrency
                        && inFlight.insert(item.notification.key)
                    {
                        group.addTask {
                            await attempt(item, site: site, unrecorded: unrecorded)
                            inFlight.remove(item.notification.key, attempted: item.attempts == 0)
                            hub.outboxWake.signal()
                        }
                    }
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
                    for item in due
                    where !unrecorded.holds(item.notification.key) && inFlight.count < concurrency
                        && inFlight.insert(item.notification.key)
                    {
                        group.addTask {
                            await attempt(item, site: site, unrecorded: unrecorded)
                            inFlight.remove(item.notification.key, attempted: item.attempts == 0)
                            hub.outboxWake.signal()
                        }
                    }
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

    private func attempt(_ item: OutboxItem, site: SiteInfo, unrecorded: Unrecorded) async {
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
        if Task.isCancelled { return }
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
        } catch {
            // The attempt happened but could not be recorded (a full disk); the row stays due.
            // Sent again at once, it would be sent round after round while the disk is full:
            // it waits, then goes again, which the idempotency key makes safe.
            unrecorded.hold(notification.key, seconds: Self.unrecordedWait)
            hub.logger.error(
                "could not record delivery of \(notification.key): \(error); tried again in \(Int(Self.unrecordedWait)) s"
            )
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

/// Keys of notifications being delivered right now, and of those whose first attempt ended
/// lately.
///
/// The second set keeps a notification handed over in memory (`Store.takeFreshlyQueued`) from
/// going out twice: the outbox read can find its row and deliver it first, and the hand-over,
/// read later, would then start it again.
private final class InFlight: @unchecked Sendable {
    /// First attempts remembered: far more than can end between a commit and the dispatcher's
    /// next turn, which takes what the commit queued.
    static let remembered = 1024

    private let lock = NSLock()
    private var keys = Set<String>()
    private var firstAttempts = Set<String>()
    private var firstAttemptOrder: [String] = []

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return keys.count
    }

    func insert(_ key: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return keys.insert(key).inserted
    }

    /// Whether the notification's first attempt has ended lately.
    func attempted(_ key: String) -> Bool {
        lock.withLock { firstAttempts.contains(key) }
    }

    /// `attempted`: it was the notification's first attempt.
    func remove(_ key: String, attempted: Bool) {
        lock.withLock {
            keys.remove(key)
            guard attempted, firstAttempts.insert(key).inserted else { return }
            firstAttemptOrder.append(key)
            if firstAttemptOrder.count > Self.remembered {
                firstAttempts.remove(firstAttemptOrder.removeFirst())
            }
        }
    }
}
