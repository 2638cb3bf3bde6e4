import Foundation
import VaktCore

/// Rule engine throughput: a synthetic site of 1,000 devices in 500 rooms and 100 rules of
/// every kind (conditions on tags, devices and time windows, counting, absence, per-resident
/// overrides), fed a seeded stream of device events on virtual time with staff answering
/// some alarms. The engine alone: no store, no broker. Also the same stream with the rules
/// cut to 10, side by side, to show what the number of rules costs.
enum EngineBench {
    static func run() throws {
        let events = argument("--events", default: 200_000)
        let full = measure(rules: 100, events: events)
        let few = measure(rules: 10, events: events)
        let result: [String: Any] = [
            "devices": 1000, "events": events, "rules": 100,
            "events_per_s": full.rate, "alarms_raised": full.alarms,
            "events_per_s_10_rules": few.rate,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static let kinds: [EventKind] = [
        .doorOpened, .doorClosed, .presenceDetected, .presenceCleared, .fallSuspected, .bedExit, .batteryLevel,
        .fallDetected, .sos, .waterLeak,
    ]

    static func site(rules ruleCount: Int) -> Site {
        let rooms = (0..<500).map { Room(id: "\(1000 + $0)", name: "Rom \(1000 + $0)", tags: $0 % 5 == 0 ? ["ground-floor"] : []) }
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
            Staff(id: "s\($0)", name: "Staff \($0)", role: $0 <= 15 ? .nightStaff : .nurseInCharge, contacts: [Contact(channel: "webhook")])
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
            switch n % 5 {
            case 0: rule.match = RuleMatch(residentTags: ["wandering-risk"])
            case 1: rule.when = TimeWindow("22:00-07:00", days: [.mon, .tue, .wed, .thu, .fri])
            case 2: rule.match = RuleMatch(devices: ["\(1000 + n)-a", "\(1000 + n)-b"])
            case 3: rule.trigger = .count(times: 3, withinSeconds: 600)
            default:
                rule.trigger = .absence(expect: [.doorClosed, .presenceDetected], withinSeconds: 300)
                rule.events = [.doorOpened]
            }
            rules.append(rule)
        }
        return Site(
            id: "bench", name: "Bench", timeZone: TimeZone(identifier: "Europe/Oslo")!, rooms: rooms,
            residents: residents, staff: staff, channels: [Channel(id: "webhook", kind: .webhook, url: "http://127.0.0.1:9/")],
            policies: [policy], rules: rules, devices: devices)
    }

    static func measure(rules: Int, events: Int) -> (rate: Int, alarms: Int) {
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
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<events {
            now += Double(next() % 1000) / 1000
            let device = site.devices[Int(next() % UInt64(site.devices.count))].id
            let kind = kinds[Int(next() % UInt64(kinds.count))]
            var effects = engine.handle(.device(DeviceEvent(kind: kind, device: device)), at: now)
            if index % 50 == 0, let alarm = engine.openAlarms.keys.first {
                effects += engine.handle(
                    .command(Command(id: "c\(index)", staff: "s1", action: .resolve, alarm: alarm, outcome: "assisted")),
                    at: now)
            }
            for effect in effects {
                switch effect {
                case .schedule(let timer): timers[timer.id] = timer
                case .cancelTimer(let id): timers[id] = nil
                case .saveAlarm(let alarm) where alarm.repeats == 0 && alarm.tier == 0 && alarm.round == 0 && alarm.state == .raised:
                    alarms += 1
                default: break
                }
            }
            if index % 1000 == 0 {
                for timer in timers.values where timer.due <= now {
                    timers[timer.id] = nil
                    for effect in engine.handle(.timer(timer.fire), at: now) {
                        if case .schedule(let timer) = effect { timers[timer.id] = timer }
                    }
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (Int(Double(events) / seconds), alarms)
    }
}
