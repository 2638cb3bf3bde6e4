import Foundation
import VaktCore

/// Rule engine throughput: a synthetic site of 1,000 devices in 500 rooms and 100 rules of
/// every kind (conditions on tags, devices and time windows, counting, absence, per-resident
/// overrides), fed a seeded stream of device events (mostly doors and presence) on virtual
/// time, every due timer fired, with staff answering
/// each alarm 90 s after it was raised (so some escalate first). The engine alone: no store, no broker. Also the same stream with the rules
/// cut to 10, side by side, to show what the number of rules costs.
enum EngineBench {
    static func run() throws {
        let events = argument("--events", default: 200_000)
        let full = measure(rules: 100, events: events)
        let few = measure(rules: 10, events: events)
        let result: [String: Any] = [
            "devices": 1000, "events": events, "rules": 100,
            "events_per_s": full.rate, "alarms_raised": full.alarms, "notifications": full.notifications,
            "timers_fired": full.timers,
            "events_per_s_10_rules": few.rate,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// The rules' event kinds, in turn.
    static let kinds: [EventKind] = [
        .doorOpened, .doorClosed, .presenceDetected, .presenceCleared, .fallSuspected, .bedExit, .batteryLevel,
        .fallDetected, .sos, .waterLeak,
    ]

    /// What devices say, as often as a care home hears it: mostly doors and presence, a few
    /// battery reports, one event in twenty about a fall, a button or a leak.
    static let stream: [EventKind] =
        Array(repeating: .presenceDetected, count: 23) + Array(repeating: .presenceCleared, count: 22)
        + Array(repeating: .doorOpened, count: 20) + Array(repeating: .doorClosed, count: 20)
        + Array(repeating: .batteryLevel, count: 10) + [.fallSuspected, .bedExit, .sos, .fallDetected, .waterLeak]

    static func site(rules ruleCount: Int) -> Site {
        let rooms = (0..<500).map {
            Room(id: "\(1000 + $0)", name: "Rom \(1000 + $0)", tags: $0 % 5 == 0 ? ["ground-floor"] : [])
        }
        let residents = rooms.enumerated().map { index, room in
            var resident = Resident(
                id: "r\(room.id)", displayName: "Beboer \(room.id)", room: room.id,
                tags: index % 3 == 0 ? ["wandering-risk"] : ["fall-risk"])
            if index % 10 == 0 { resident.ruleOverrides["r3"] = RuleOverride(severity: .critical) }
            return resident
        }
        let devices = rooms.flatMap { room in
            [
                Device(id: "\(room.id)-a", profile: "bench/a", room: room.id, topic: "z2m/\(room.id)-a"),
                Device(id: "\(room.id)-b", profile: "bench/b", room: room.id, topic: "z2m/\(room.id)-b"),
            ]
        }
        let staff = (1...20).map {
            Staff(
                id: "s\($0)", name: "Staff \($0)", role: $0 <= 15 ? .nightStaff : .nurseInCharge,
                contacts: [Contact(channel: "webhook")])
        }
        let policy = Policy(
            id: "standard",
            tiers: [
                Tier(afterSeconds: 0, notify: [.role(.nightStaff, onDutyOnly: true)]),
                Tier(afterSeconds: 120, notify: [.role(.nurseInCharge, onDutyOnly: false), .nextOfKin]),
            ], repeatSeconds: 300)
        var rules: [Rule] = []
        for n in 0..<ruleCount {
            let kind = kinds[n % kinds.count]
            var rule = Rule(id: "r\(n)", events: [kind], alarm: "a\(n % 7)", severity: .high, policy: "standard")
            // Rules about everyday events apply to a few rooms or residents; rules about
            // falls, buttons and leaks to everyone.
            let everyday = n % kinds.count < 4 || n % kinds.count == 6
            let rooms = ["\(1000 + n)-a", "\(1000 + n)-b", "\(1100 + n)-a"]
            switch n % 5 {
            case 0: rule.match = RuleMatch(devices: everyday ? rooms : [], residentTags: ["wandering-risk"])
            case 1:
                rule.when = TimeWindow("22:00-07:00", days: [.mon, .tue, .wed, .thu, .fri])
                if everyday { rule.match = RuleMatch(devices: rooms) }
            case 2: rule.match = RuleMatch(devices: rooms)
            case 3: rule.trigger = .count(times: 3, withinSeconds: 600)
            default:
                rule.trigger = .absence(expect: [.doorClosed, .presenceDetected], withinSeconds: 300)
                rule.events = [.doorOpened]
                rule.match = RuleMatch(devices: rooms)
            }
            rules.append(rule)
        }
        return Site(
            id: "bench", name: "Bench", timeZone: TimeZone(identifier: "Europe/Oslo")!, rooms: rooms,
            residents: residents, staff: staff,
            channels: [Channel(id: "webhook", kind: .webhook, url: "http://127.0.0.1:9/")],
            policies: [policy], rules: rules, devices: devices)
    }

    static func measure(rules: Int, events: Int) -> (rate: Int, alarms: Int, notifications: Int, timers: Int) {
        let site = site(rules: rules)
        var engine = Engine(site: site)
        var random = UInt64(42)
        func next() -> UInt64 {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return random >> 33
        }
        var now = Date(timeIntervalSince1970: 1_795_650_000)
        var timers: [String: ScheduledTimer] = [:]
        var alarms = 0
        var notifications = 0
        var fired = 0
        var answerQueue: [(String, Date)] = []
        func absorb(_ effects: [Effect]) {
            for effect in effects {
                switch effect {
                case .schedule(let timer): timers[timer.id] = timer
                case .cancelTimer(let id): timers[id] = nil
                case .enqueue: notifications += 1
                case .saveAlarm(let alarm)
                where alarm.repeats == 0 && alarm.tier == 0 && alarm.round == 0 && alarm.state == .raised:
                    alarms += 1
                    answerQueue.append((alarm.id, now))
                default: break
                }
            }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<events {
            now += Double(next() % 1000) / 1000
            let device = site.devices[Int(next() % UInt64(site.devices.count))].id
            let kind = stream[Int(next() % UInt64(stream.count))]
            var effects = engine.handle(.device(DeviceEvent(kind: kind, device: device)), at: now)
            // Staff resolve each alarm about a minute and a half after it was raised.
            while let first = answerQueue.first, now.timeIntervalSince(first.1) > 90 {
                answerQueue.removeFirst()
                effects += engine.handle(
                    .command(
                        Command(id: "c\(index)", staff: "s1", action: .resolve, alarm: first.0, outcome: "assisted")),
                    at: now)
            }
            absorb(effects)
            if index % 100 == 0 {
                for timer in timers.values where timer.due <= now {
                    timers[timer.id] = nil
                    fired += 1
                    absorb(engine.handle(.timer(timer.fire), at: now))
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (Int(Double(events) / seconds), alarms, notifications, fired)
    }
}
