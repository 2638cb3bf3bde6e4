import Foundation
import Logging
import VaktCore
import VaktStore

/// The one place where inputs meet the engine and the store.
///
/// Every input (a device message, a staff command, a due timer, a delivery result) goes
/// through `handle`, which runs the engine inside the store's write transaction: the input's
/// record and all its effects commit together or not at all. Only after the commit does
/// the hub publish snapshots and replies and wake the timer and outbox services.
///
/// Inputs arrive on libmosquitto's network thread and on service tasks, so the hub
/// serialises them with a lock rather than an actor: the MQTT callback must commit
/// synchronously, before libmosquitto writes the PUBACK.
public final class Hub: @unchecked Sendable {
    public let site: Site
    public let store: Store
    public let clock: any HubClock
    let logger: Logger
    private let lock = NSRecursiveLock()
    /// Read and changed under `lock` only (`withLock`).
    var engine: Engine
    var tracker: MQTTSessionTracker
    var rejections = RejectionLog()
    private var publisher: (any HubPublisher)?
    private var observers: [@Sendable ([Effect]) -> Void] = []
    private var channelHealth: [String: ChannelHealth] = [:]
    /// Unreadable timer rows already reported.
    private var reportedTimerProblems: Set<String> = []
    /// The source states last published, to publish only changes.
    private var announced: [String: SourceState] = [:]

    /// The wall clock against the monotonic one, looked at before every input (see
    /// `noticeClockStep`); under the lock.
    var clockWatch = ClockWatch()
    /// A clock step could not be committed and was logged; reset when one is.
    var clockStepFailing = false
    /// Whether all the state restored and written is on the clock as it reads now: false after
    /// a start on another boot than the one the state was written on, until the clock's first
    /// step (see ``ClockStep``).
    var frameKnown = true
    /// While the frame is not known: the state written since the start (`timer:<id>`,
    /// `alarm:<id>`, `outbox:<key>`...), the only state a step moves.
    var writtenSinceStart: Set<String> = []

    /// Set when the hub stops: a message held until the store takes it is let go.
    private var ingestHalted = false
    private let ingestHalt = DispatchSemaphore(value: 0)
    /// While inputs are committed together (`inOneTransaction`): what their commits did, to
    /// publish once the transaction has committed.
    private var deferredEffects: [Effect]?
    /// Since when (monotonic seconds) the store has refused every write (a full disk), if it
    /// does now; under the lock.
    var storeRefusingSince: Double?

    let timerWake = WakeSignal()
    let outboxWake = WakeSignal()

    /// Restores the engine from the store: open alarms, alarm numbering, MQTT session.
    public init(site: Site, store: Store, clock: any HubClock, logger: Logger) throws {
        self.site = site
        self.store = store
        self.clock = clock
        self.logger = logger
        let memories = try store.ruleMemories()
        let silences = try store.silences()
        let resolved = try store.alarms(resolvedSince: clock.now().addingTimeInterval(-Engine.recentWindow))
        // A damaged row of what rules remember is reported, in the log and the audit, and
        // skipped: the hub must start. A lost absence wait still raises when its timer fires.
        for problem in memories.unreadable + silences.unreadable + resolved.unreadable {
            logger.critical("a stored rule memory, silence or resolved alarm cannot be read and is skipped: \(problem)")
            try store.appendAudit(
                AuditEntry(at: clock.now(), actor: "hub", action: .storeUnreadable, detail: ["problem": problem]))
        }
        engine = Engine(
            site: site, openAlarms: try store.openAlarms(), nextNumber: try store.nextAlarmNumber(),
            sources: try store.sources(), memories: memories.items, silences: silences.items,
            recentlyResolved: resolved.items, lostMemories: Set(memories.unreadableIDs))
        engine.resumedAt = clock.now()
        // The site's time zone and its formatter are loaded now, not on the first alarm's way
        // out (several milliseconds, measured).
        _ = RFC3339.string(from: clock.now(), in: site.timeZone)
        let session = try store.mqttSession()
        tracker = MQTTSessionTracker(epoch: session.epoch, lastMid: session.lastMid, wraps: session.wraps)
    }

    /// Open alarms as the engine holds them.
    public var openAlarms: [Alarm] {
        withLock { engine.openAlarms.values.sorted { ($0.number ?? 0) < ($1.number ?? 0) } }
    }

    var currentPublisher: (any HubPublisher)? { withLock { publisher } }

    func setPublisher(_ publisher: (any HubPublisher)?) {
        withLock { self.publisher = publisher }
    }

    /// Notes the outcome of a delivery attempt on `channel`; announces a change of health.
    func noteChannel(_ channel: String, result: DeliveryResult) {
        withLock {
            let failing: Bool
            let reason: String?
            switch result {
            case .delivered: (failing, reason) = (false, nil)
            case .failed(let why, _): (failing, reason) = (true, why)
            }
            if let known = channelHealth[channel], known.failing == failing { return }
            let health = ChannelHealth(failing: failing, since: clock.now(), reason: reason)
            channelHealth[channel] = health
            if failing {
                logger.error("channel \(channel) is failing: \(reason ?? "")")
            } else {
                logger.notice("channel \(channel) delivers again")
            }
            publisher?.publish(channel: channel, health: health)
        }
    }

    /// Every channel's last known health (republished on each broker connection).
    var channelHealthNow: [String: ChannelHealth] { withLock { channelHealth } }

    /// Every device's and bridge's health (republished on each broker connection).
    public var sources: [SourceState] { withLock { Array(engine.sources.values) } }

    /// The silences in force or yet to end, soonest end first (republished on each broker
    /// connection and after each change).
    public var silences: [Silence] { withLock { engine.silences.values.sorted { $0.until < $1.until } } }

    /// When supervision must next look at the sources' silence.
    func nextSupervisionDeadline() -> Date? { withLock { engine.nextSupervisionDeadline(now: clock.now()) } }

    /// Calls `observer` after every commit with the effects that were committed, in commit
    /// order, under the hub's lock: it must return quickly and must not call back into the hub.
    public func observeCommits(_ observer: @escaping @Sendable ([Effect]) -> Void) {
        withLock { observers.append(observer) }
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Lets go of a message held until the store takes it (`holdUntilRecorded`): the hub stops.
    func haltIngest() {
        withLock { ingestHalted = true }
        ingestHalt.signal()
    }

    /// Waits `seconds` on the monotonic clock (a wall clock stepped back does not stretch it);
    /// returns false, at once or when woken, once ingest is halted.
    func waitUnlessHalted(seconds: Double) -> Bool {
        if withLock({ ingestHalted }) { return false }
        if ingestHalt.wait(timeout: .now() + seconds) == .success {
            ingestHalt.signal()  // for the next waiter
        }
        return !withLock { ingestHalted }
    }

    /// Notes a commit's outcome: a store that refuses writes (a full disk) is not a stuck hub.
    private func noteStore(_ error: (any Error)?) {
        if let error, Self.isResourceFailure(error) {
            if storeRefusingSince == nil { storeRefusingSince = clock.monotonicSeconds() ?? 0 }
        } else if error == nil {
            storeRefusingSince = nil
        }
    }

    /// Commits `inputs` (and the event record they came from) with all their effects.
    ///
    /// - Parameters:
    ///   - inputs: Engine inputs, applied in order within the one transaction.
    ///   - event: The raw record of what arrived; a record whose key was seen before makes the
    ///     whole call a no-op (`.duplicate`).
    ///   - prelude: Effects to store before the engine's own (a fired timer's removal).
    /// - Throws: Store errors; nothing is committed and the engine is unchanged.
    @discardableResult
    public func handle(
        _ inputs: [Input], event: EventRecord? = nil, session: MQTTSessionUpdate? = nil,
        prelude: [Effect] = []
    ) throws -> CommitResult {
        try withLock {
            if deferredEffects != nil {
                // Inside a shared transaction a step is not committed (a rollback would lose
                // it): the inputs go one by one instead, each after the step.
                if let monotonic = clock.monotonicSeconds(),
                    clockWatch.look(wall: clock.now(), monotonic: monotonic) != nil
                {
                    throw OneByOne()
                }
            } else if let pending = noticeClockStep() {
                // Nothing is handled at a new wall time before the step is on record.
                throw pending
            }
            let now = clock.now()
            let result: CommitResult
            if deferredEffects != nil {
                // Inside a shared transaction the engine changes in place: `inOneTransaction`
                // kept it as it was before the batch and puts it back if anything in the batch
                // fails (every error ends a batch). A copy per input made the engine's trees
                // copy their nodes once per message rather than once per batch (measured).
                result = try store.commit(event: event, session: session) {
                    prelude + inputs.flatMap { engine.handle($0, at: now) }
                }
                if case .committed(let effects) = result { afterCommit(effects) }
                return result
            }
            var next = engine
            do {
                result = try store.commit(event: event, session: session) {
                    prelude + inputs.flatMap { next.handle($0, at: now) }
                }
                noteStore(nil)
            } catch {
                noteStore(error)
                throw error
            }
            if case .committed(let effects) = result {
                engine = next
                afterCommit(effects)
            }
            return result
        }
    }

    /// Commits a wall-clock step of `seconds`: every pending timer, wait and open alarm moves
    /// with the clock (``ClockStep``), in one transaction with its `clock.jumped` record.
    func commitClockStep(seconds: Double, noticed: ClockStep.Noticed, monotonic: Double) throws {
        try withLock {
            let now = clock.now()
            let pending = try store.readablePendingTimers().timers
            let timers = frameKnown ? pending : pending.filter { writtenSinceStart.contains("timer:\($0.id)") }
            var next = engine
            let step = ClockStep(
                seconds: seconds, timers: timers, timersKept: pending.count - timers.count,
                scope: frameKnown ? nil : writtenSinceStart, noticed: noticed)
            // The clocks' reference moves in the same transaction: a crash just after cannot
            // make the next start find the step again.
            let reference = try clockReference(wall: now, monotonic: monotonic, frameKnown: true)
            let result = try store.commit(event: nil, meta: reference.map { [$0] } ?? []) {
                next.handle(.clockStepped(step), at: now)
            }
            if case .committed(let effects) = result {
                engine = next
                afterCommit(effects)
            }
            // The clock has been set: from here on, everything is on the clock as it reads.
            self.frameKnown = true
            writtenSinceStart = []
        }
    }

    /// Records one delivery attempt and the engine's reaction in one transaction; the next
    /// attempt, if any, is due `retryIn` seconds from now.
    func recordDelivery(_ report: DeliveryReport, retryIn: Double?) throws {
        try withLock {
            if let pending = noticeClockStep() { throw pending }
            let now = clock.now()
            let nextAttemptAt = retryIn.map { now.addingTimeInterval($0) }
            var next = engine
            var effects: [Effect] = []
            do {
                try store.recordAttempt(
                    key: report.notification.key, attempt: report.attempt, result: report.result,
                    final: report.final,
                    nextAttemptAt: nextAttemptAt
                ) {
                    effects = next.handle(.delivery(report), at: now)
                    return effects
                }
                noteStore(nil)
            } catch {
                noteStore(error)
                throw error
            }
            if !frameKnown {
                // Its next attempt is on the clock as it reads now; a final one has none.
                if report.final || nextAttemptAt == nil {
                    writtenSinceStart.remove("outbox:\(report.notification.key)")
                } else {
                    writtenSinceStart.insert("outbox:\(report.notification.key)")
                }
            }
            engine = next
            afterCommit(effects)
        }
    }

    /// Fires every stored timer that is due, each in its own transaction. A row that cannot be
    /// read is reported (once) and skipped, so it does not hold back the others.
    public func fireDueTimers() throws {
        // A step of the wall clock moves the timers before any is judged due.
        if let pending = noticeClockStep() { throw pending }
        let now = clock.now()
        let pending = try store.readablePendingTimers()
        for problem in pending.unreadable where withLock({ reportedTimerProblems.insert(problem).inserted }) {
            logger.critical("a stored timer cannot be read and is skipped: \(problem)")
        }
        var failure: (any Error)?
        for timer in pending.timers where timer.due <= now {
            // Under the lock, the row as it is now: an input handled since the list was read
            // may have cancelled or re-armed it (an acknowledgement, an escalation). One timer
            // that cannot be committed does not hold back the others.
            do {
                try withLock {
                    if let pending = noticeClockStep() { throw pending }
                    guard let current = try store.timer(id: timer.id), current.due <= clock.now() else { return }
                    try handle([.timer(current.fire)], prelude: [.cancelTimer(id: current.id)])
                }
            } catch {
                logger.error("timer \(timer.id) could not fire: \(error); the others go on, it is tried again")
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }

    /// Whether inputs are being committed together right now (see `inOneTransaction`).
    var inOneTransactionNow: Bool { withLock { deferredEffects != nil } }

    /// Runs `body`, whose inputs (`handle`) commit in one store transaction: one fsync for
    /// all. Returns whether it committed. When it did not, the engine and everything else the
    /// inputs changed is as before, and nothing was published: the caller hands them over one
    /// by one.
    func inOneTransaction(_ body: () throws -> Void) -> Bool {
        withLock {
            let saved = (engine, tracker, rejections, storeRefusingSince)
            deferredEffects = []
            do {
                try store.batch(body)
                let effects = deferredEffects ?? []
                deferredEffects = nil
                noteStore(nil)
                afterCommit(effects)
                return true
            } catch {
                deferredEffects = nil
                (engine, tracker, rejections, storeRefusingSince) = saved
                return false
            }
        }
    }

    private func afterCommit(_ effects: [Effect]) {
        if deferredEffects != nil {
            deferredEffects?.append(contentsOf: effects)
            return
        }
        if !frameKnown { noteWritten(effects) }
        // The dispatcher first: what is published and logged below is not on an alarm's way to
        // a phone.
        if effects.contains(where: { if case .enqueue = $0 { true } else { false } }) { outboxWake.signal() }
        var wakeTimers = false
        var publishSilences = false
        for effect in effects {
            switch effect {
            case .saveAlarm(let alarm):
                publisher?.publish(alarm: AlarmSnapshot(alarm, site: site))
                logAlarm(alarm)
            case .reply(let reply):
                publisher?.publish(reply: reply)
            case .schedule, .cancelTimer:
                wakeTimers = true
            case .saveSource(let state):
                announce(state)
            case .saveSilence, .endSilence:
                publishSilences = true
            case .enqueue, .audit, .saveMemory, .forgetMemory, .shiftPendingAttempts:
                break
            }
        }
        if publishSilences { publisher?.publish(silences: silences) }
        for observer in observers { observer(effects) }
        if wakeTimers { timerWake.signal() }
    }

    /// Notes the state the effects wrote on the clock as it reads now (see `writtenSinceStart`).
    private func noteWritten(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .saveAlarm(let alarm) where alarm.state == .resolved: writtenSinceStart.remove("alarm:\(alarm.id)")
            case .saveAlarm(let alarm): writtenSinceStart.insert("alarm:\(alarm.id)")
            case .schedule(let timer): writtenSinceStart.insert("timer:\(timer.id)")
            case .cancelTimer(let id): writtenSinceStart.remove("timer:\(id)")
            case .saveSource(let state): writtenSinceStart.insert("source:\(state.id)")
            case .saveMemory(let memory): writtenSinceStart.insert("memory:\(memory.id)")
            case .saveSilence(let silence): writtenSinceStart.insert("silence:\(silence.id)")
            case .enqueue(let notification): writtenSinceStart.insert("outbox:\(notification.key)")
            case .forgetMemory(let id): writtenSinceStart.remove("memory:\(id)")
            case .endSilence(let id): writtenSinceStart.remove("silence:\(id)")
            case .audit, .reply, .shiftPendingAttempts: break
            }
        }
    }

    /// Publishes a source's status when something a person would see changed: not for every
    /// message, only when last seen has moved on by a minute.
    private func announce(_ state: SourceState) {
        var visible = state
        visible.lastDigest = nil
        visible.lastSeen = nil
        if let before = announced[state.id] {
            var previous = before
            previous.lastDigest = nil
            previous.lastSeen = nil
            let moved = (state.lastSeen ?? .distantPast).timeIntervalSince(before.lastSeen ?? .distantPast)
            if previous == visible && moved < 60 { return }
        }
        announced[state.id] = state
        publisher?.publish(source: state)
    }

    private func logAlarm(_ alarm: Alarm) {
        logger.notice(
            "alarm \(alarm.id) \(alarm.state.rawValue)",
            metadata: [
                "kind": "\(alarm.kind)", "severity": "\(alarm.severity.rawValue)", "room": "\(alarm.room)",
                "tier": "\(alarm.tier)",
            ])
    }
}

/// Where the hub announces alarm snapshots and command replies (retained MQTT in production).
protocol HubPublisher: Sendable {
    func publish(alarm: AlarmSnapshot)
    func publish(reply: CommandReply)
    /// A reply that is not about a command (a query's answer), as a JSON object.
    func publish(reply: [String: Any], staff: String)
    /// A device's or bridge's status, retained on `devices/<id>`.
    func publish(source: SourceState)
    /// A notification channel's health, retained on `channels/<id>`.
    func publish(channel: String, health: ChannelHealth)
    /// The audit chain head, retained on `audit/checkpoint`.
    func publish(checkpoint: AuditCheckpoint)
    /// The silences in force, retained on `silences`.
    func publish(silences: [Silence])
}

/// Whether a notification channel's last attempt got through, for dashboards' banners.
public struct ChannelHealth: Sendable, Equatable {
    public var failing: Bool
    public var since: Date
    public var reason: String?

    func json(in zone: TimeZone) -> [UInt8] {
        let object: [String: Any] = [
            "state": failing ? "failing" : "ok", "since": RFC3339.string(from: since, in: zone),
            "reason": reason ?? NSNull(),
        ]
        return WireJSON.bytes(object)
    }
}
