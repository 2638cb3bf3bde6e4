import Foundation
import VaktCore

/// A small care home built in code: rooms 101-106, one resident per room with three next
/// of kin each, four staff in two groups, one webhook channel and the "standard" policy.
///
/// Every test builds its engine from here and hands it explicit instants; nothing reads a clock.
enum Fixture {
    static let siteID = "marker"
    static let siteName = "Marker bo- og servicesenter"
    static let oslo = TimeZone(identifier: "Europe/Oslo")!
    static let roomNumbers = 101...106

    /// 03:00 in Oslo (CET, +01:00), a winter night with no daylight-saving change near it.
    static let t0 = instant("2026-01-15T02:00:00Z")

    static let residentNames: [Int: String] = [
        101: "Astrid Hansen", 102: "Bjørn Olsen", 103: "Ingrid Berg",
        104: "Olav Lie", 105: "Solveig Dahl", 106: "Kåre Moen",
    ]

    static func site(language: Language = .norwegianBokmal) -> Site {
        Site(
            id: siteID, name: siteName, timeZone: oslo, language: language,
            rooms: roomNumbers.map { Room(id: "\($0)", name: "Rom \($0)") },
            residents: roomNumbers.map(resident(room:)),
            staff: [
                Staff(
                    id: "ns1", name: "Siri Nattevakt", role: .nightStaff, onDuty: true, contacts: [webhook("staff/ns1")]
                ),
                Staff(
                    id: "ns2", name: "Jonas Nattevakt", role: .nightStaff, onDuty: true,
                    contacts: [webhook("staff/ns2")]),
                Staff(
                    id: "ns3", name: "Emil Nattevakt", role: .nightStaff, onDuty: false,
                    contacts: [webhook("staff/ns3")]),
                Staff(
                    id: "sp1", name: "Hilde Sykepleier", role: .nurseInCharge, onDuty: true,
                    contacts: [webhook("staff/sp1")]),
            ],
            groups: [
                StaffGroup(id: "night-staff", name: "Nattevakter", members: ["ns1", "ns2", "ns3"]),
                StaffGroup(id: "nurse-in-charge", name: "Ansvarlig sykepleier", members: ["sp1"]),
            ],
            channels: [Channel(id: "webhook", kind: .webhook, url: "http://127.0.0.1:9/vakt")],
            policies: [standardPolicy],
            rules: [
                Rule(id: "fall", events: [.fallDetected], alarm: "fall", severity: .critical, policy: "standard"),
                Rule(
                    id: "fall-suspected", events: [.fallSuspected], alarm: "fall", severity: .high, policy: "standard"),
                Rule(id: "sos", events: [.sos], alarm: "sos", severity: .critical, policy: "standard"),
            ],
            devices: roomNumbers.flatMap { n in
                [
                    Device(id: "room\(n)-fall", profile: "test/fall-sensor", room: "\(n)", topic: "z2m/room\(n)-fall"),
                    Device(id: "room\(n)-sos", profile: "test/sos-button", room: "\(n)", topic: "z2m/room\(n)-sos"),
                    Device(id: "room\(n)-door", profile: "test/door-contact", room: "\(n)", topic: "z2m/room\(n)-door"),
                ]
            })
    }

    static let standardPolicy = Policy(
        id: "standard",
        tiers: [
            Tier(afterSeconds: 0, notify: [.group("night-staff", onDutyOnly: true)]),
            Tier(
                afterSeconds: 120,
                notify: [.group("night-staff", onDutyOnly: false), .group("nurse-in-charge", onDutyOnly: false)]),
            Tier(
                afterSeconds: 300,
                notify: [
                    .group("night-staff", onDutyOnly: false), .group("nurse-in-charge", onDutyOnly: false), .nextOfKin,
                ]),
        ],
        repeatSeconds: 300)

    /// Resident `r<room>` with kin `k<room>a` (notify, no health detail), `k<room>b` (notify
    /// with health detail) and `k<room>c` (no consent to be notified).
    static func resident(room n: Int) -> Resident {
        let name = residentNames[n]!
        let surname = String(name.split(separator: " ").last!)
        return Resident(
            id: "r\(n)", displayName: name, room: "\(n)", tags: ["fall-risk"],
            nextOfKin: [
                NextOfKin(
                    id: "k\(n)a", name: "Per \(surname)", relation: "son", contacts: [webhook("kin/k\(n)a")],
                    consentNotify: true, consentHealthDetail: false),
                NextOfKin(
                    id: "k\(n)b", name: "Lise \(surname)", relation: "daughter", contacts: [webhook("kin/k\(n)b")],
                    consentNotify: true, consentHealthDetail: true),
                NextOfKin(
                    id: "k\(n)c", name: "Nils \(surname)", relation: "nephew", contacts: [webhook("kin/k\(n)c")],
                    consentNotify: false, consentHealthDetail: false),
            ])
    }

    static func webhook(_ address: String) -> Contact { Contact(channel: "webhook", address: address) }

    static func engine(language: Language = .norwegianBokmal) -> Engine { Engine(site: site(language: language)) }

    // MARK: Inputs

    static func event(_ kind: EventKind, _ device: String, raw: String? = nil) -> Input {
        .device(DeviceEvent(kind: kind, device: device, raw: raw))
    }

    static func fall(_ room: Int = 101) -> Input { event(.fallDetected, "room\(room)-fall", raw: "fall_alarm") }

    static func command(
        _ action: Command.Action, _ alarm: String, as staff: String, id: String = "req-1", outcome: String? = nil,
        note: String? = nil
    ) -> Input {
        .command(Command(id: id, staff: staff, action: action, alarm: alarm, outcome: outcome, note: note))
    }

    static func escalationFire(_ alarm: String) -> Input {
        .timer(TimerFire(id: "\(alarm):escalate", alarm: alarm, purpose: .escalate))
    }

    static func key(_ alarm: String, tier: Int, round: Int, _ recipient: String) -> String {
        "\(siteID):\(alarm):t\(tier):r\(round):\(recipient):webhook"
    }
}

/// An instant from an RFC 3339 literal; the literals in these tests are all valid.
func instant(_ text: String) -> Date {
    guard let date = RFC3339.date(from: text) else { preconditionFailure("bad instant \(text)") }
    return date
}

extension Date {
    static func + (lhs: Date, seconds: Double) -> Date { lhs.addingTimeInterval(seconds) }
}

/// Foundation has a `Notification` too; in these tests the word means Vakt's.
typealias Notification = VaktCore.Notification
