import Foundation
import Testing
import VaktCore
import VaktTesting

/// Property: for random event streams, random staff answers and random restarts, no alarm
/// goes silent. Every raised alarm keeps an armed escalation timer; every wait an absence rule
/// started keeps its timer; every silence keeps its end; and given time, every alarm nobody
/// answers ends on its last tier, repeating.
///
/// The store is modelled by applying effects to dictionaries, as `Store.persist` does to
/// tables; a restart builds a new engine from them, as `Hub.init` does.
@Suite("No alarm goes silent (property)")
struct NoSilentAlarmPropertyTests {
    /// The tables the engine's effects write.
    struct ModelStore {
        var alarms: [String: Alarm] = [:]
        var timers: [String: ScheduledTimer] = [:]
        var memories: [String: RuleMemory] = [:]
        var silences: [String: Silence] = [:]
        var sources: [String: SourceState] = [:]

        mutating func apply(_ effects: [Effect]) {
            for effect in effects {
                switch effect {
                case .saveAlarm(let alarm): alarms[alarm.id] = alarm
                case .schedule(let timer): timers[timer.id] = timer
                case .cancelTimer(let id): timers[id] = nil
                case .saveMemory(let memory): memories[memory.id] = memory
                case .forgetMemory(let id): memories[id] = nil
                case .saveSilence(let silence): silences[silence.id] = silence
                case .endSilence(let id): silences[id] = nil
                case .saveSource(let state): sources[state.id] = state
                case .audit, .enqueue, .reply, .shiftPendingAttempts: break
                }
            }
        }

        /// The engine a restarted hub builds from the store at `now`.
        func restart(site: Site, at now: Date) -> Engine {
            let open = alarms.values.filter { $0.state != .resolved }
            let recent = alarms.values.filter {
                $0.state == .resolved && now.timeIntervalSince($0.resolvedAt ?? .distantPast) < Engine.recentWindow
            }
            var engine = Engine(
                site: site, openAlarms: open, nextNumber: (alarms.values.compactMap(\.number).max() ?? 0) + 1,
                sources: Array(sources.values), memories: Array(memories.values), silences: Array(silences.values),
                recentlyResolved: recent)
            engine.resumedAt = now
            return engine
        }
    }

    static func site() -> Site {
        var site = Fixture.site()
        site.rules = [
            Rule(id: "fall", events: [.fallDetected], alarm: "fall", severity: .critical, policy: "standard"),
            Rule(
                id: "suspected", events: [.fallSuspected], alarm: "fall", severity: .high, policy: "standard",
                trigger: .count(times: 2, withinSeconds: 300)),
            Rule(
                id: "sos", events: [.sos], alarm: "sos", severity: .critical, policy: "standard", holdOffSeconds: 120),
            Rule(
                id: "door-left-open", events: [.doorOpened], alarm: "door-open", severity: .medium, policy: "standard",
                trigger: .absence(expect: [.doorClosed], withinSeconds: 240)),
            Rule(
                id: "night-door", events: [.doorOpened], alarm: "door", severity: .high, policy: "standard",
                clears: [.doorClosed], when: TimeWindow("22:00-07:00"), renotifySeconds: 180),
        ]
        return site
    }

    /// Checks what must hold after every step, naming the seed on failure.
    static func checkInvariants(_ store: ModelStore, _ engine: Engine, seed: UInt64, step: Int) {
        for alarm in engine.openAlarms.values where alarm.state == .raised {
            #expect(
                store.timers["\(alarm.id):escalate"] != nil,
                "seed \(seed) step \(step): raised \(alarm.id) has no escalation timer")
            #expect(store.alarms[alarm.id] == alarm, "seed \(seed) step \(step): \(alarm.id) differs from the store")
        }
        for id in store.memories.keys where id.hasPrefix("absence:") {
            #expect(store.timers[id] != nil, "seed \(seed) step \(step): absence wait \(id) has no timer")
        }
        for id in store.timers.keys where id.hasPrefix("absence:") {
            #expect(store.memories[id] != nil, "seed \(seed) step \(step): absence timer \(id) has no memory")
        }
        for id in store.silences.keys {
            #expect(store.timers["silence:\(id)"] != nil, "seed \(seed) step \(step): silence \(id) never ends")
        }
    }

    @Test(
        "random streams, answers and restarts: every alarm is answered or escalating on its last tier",
        arguments: 0..<40)
    func noAlarmGoesSilent(seed: UInt64) {
        var random = SplitMix64(seed: seed &* 7919 &+ 17)
        let site = Self.site()
        var store = ModelStore()
        var engine = Engine(site: site)
        var now = Fixture.t0 - 3600 * Double(random.next() % 24)  // any hour of the night or day
        let kinds: [EventKind] = [.fallDetected, .fallSuspected, .sos, .doorOpened, .doorClosed]
        let staff = ["ns1", "ns2", "sp1"]

        func fireDueTimers() {
            while let timer = store.timers.values.filter({ $0.due <= now }).min(by: {
                ($0.due, $0.id) < ($1.due, $1.id)
            }) {
                store.timers[timer.id] = nil  // the hub's prelude: the fired timer is gone
                store.apply(engine.handle(.timer(timer.fire), at: max(now, timer.due)))
            }
        }

        for step in 0..<300 {
            now += Double(random.next() % 90)
            fireDueTimers()
            switch random.next() % 20 {
            case 0:
                // A restart: the engine comes back from the store alone.
                engine = store.restart(site: site, at: now)
            case 1, 2, 3:
                let open = engine.openAlarms.keys.sorted()
                guard !open.isEmpty else { break }
                let alarm = open[Int(random.next() % UInt64(open.count))]
                let action: Command.Action = [.acknowledge, .onsite, .resolve][Int(random.next() % 3)]
                let command = Command(
                    id: "c\(step)", staff: staff[Int(random.next() % 3)], action: action, alarm: alarm,
                    outcome: action == .resolve ? "assisted" : nil)
                store.apply(engine.handle(.command(command), at: now))
            case 4:
                let resolved = store.alarms.values.filter { $0.state == .resolved }.map(\.id).sorted()
                guard let alarm = resolved.last else { break }
                store.apply(
                    engine.handle(
                        .command(Command(id: "r\(step)", staff: "sp1", action: .reopen, alarm: alarm)), at: now))
            case 5:
                let room = 101 + Int(random.next() % 6)
                let request = SilenceRequest(
                    id: "s\(step)", staff: "sp1",
                    change: .start(
                        resident: "r\(room)", room: nil, kinds: nil, until: nil,
                        seconds: Double(60 + random.next() % 1800), reason: "test"))
                store.apply(engine.handle(.silence(request), at: now))
            default:
                let room = 101 + Int(random.next() % 6)
                let kind = kinds[Int(random.next() % UInt64(kinds.count))]
                let device =
                    kind == .sos
                    ? "room\(room)-sos" : kind.rawValue.hasPrefix("door") ? "room\(room)-door" : "room\(room)-fall"
                store.apply(engine.handle(.device(DeviceEvent(kind: kind, device: device)), at: now))
            }
            Self.checkInvariants(store, engine, seed: seed, step: step)
        }

        // Nobody answers any more: an hour later, every open alarm is answered or on its last
        // tier, repeating, with its timer armed.
        let end = now + 3600
        while now < end {
            now += 30
            fireDueTimers()
        }
        let lastTier = Fixture.standardPolicy.tiers.count - 1
        for alarm in engine.openAlarms.values where alarm.state == .raised {
            #expect(alarm.tier == lastTier, "seed \(seed): \(alarm.id) stuck on tier \(alarm.tier)")
            #expect(alarm.round > 0, "seed \(seed): \(alarm.id) never repeated its last tier")
            #expect((store.timers["\(alarm.id):escalate"]?.due ?? .distantPast) > now - 1, "seed \(seed): \(alarm.id)")
        }
        #expect(store.silences.isEmpty, "seed \(seed): silences outlived their end")
        Self.checkInvariants(store, engine, seed: seed, step: -1)
    }
}
