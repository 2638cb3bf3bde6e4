import Foundation
import Testing
import VaktCore

/// Supervision in the engine: silence, explicit availability, batteries, tamper, bridges
/// holding back their devices, and technical alarms clearing themselves on recovery. Time is
/// handed in: nothing here sleeps.
@Suite struct SupervisionTests {
    /// The fixture site plus a zigbee2mqtt bridge over all devices, a receiver with one Contact
    /// ID unit, profiles with silence limits, and technical rules.
    static func site() -> Site {
        var site = Fixture.site()
        site.rooms.append(Room(id: "tech", name: "Teknisk rom"))
        site.bridges = [
            Bridge(id: "zigbee", room: "tech", kind: .zigbee2mqtt(baseTopic: "z2m")),
            Bridge(id: "receiver", room: "tech", kind: .receiver(profile: "contactid/mlr2", port: "/dev/ttyX")),
        ]
        site.devices.append(
            Device(
                id: "room101-pendant", profile: "contactid/unit", room: "101",
                link: .contactID(receiver: "receiver", account: "1101", zone: nil)))
        site.profiles = [
            "test/fall-sensor": DeviceProfile(
                id: "test/fall-sensor", vendor: "T", model: "F", description: "",
                fields: [FieldMapping(field: "fall", type: .string, values: ["fall": .fallDetected])],
                supervision: Supervision(maxSilence: 1800)),
            "test/sos-button": DeviceProfile(
                id: "test/sos-button", vendor: "T", model: "S", description: "",
                fields: [FieldMapping(field: "action", type: .string, values: ["emergency": .sos])],
                supervision: Supervision(maxSilence: 7200)),
            "test/door-contact": DeviceProfile(id: "test/door-contact", vendor: "T", model: "D", description: ""),
            "contactid/mlr2": DeviceProfile(
                id: "contactid/mlr2", vendor: "S", model: "MLR2", description: "", format: .surgardMLR2,
                supervision: Supervision(maxSilence: 120)),
            "contactid/unit": DeviceProfile(
                id: "contactid/unit", vendor: "G", model: "U", description: "", format: .contactID,
                codes: ["101": ContactIDCode(event: .sos, restore: .sosCleared)],
                supervision: Supervision(maxSilence: 90_000, silentEvent: .testMissed)),
        ]
        site.policies.append(
            Policy(id: "technical", tiers: [Tier(afterSeconds: 0, notify: [.staff("sp1")])], repeatSeconds: 3600))
        site.rules += [
            Rule(
                id: "bridge", events: [.bridgeOffline], alarm: "bridge-offline", severity: .high, policy: "technical",
                clears: [.bridgeOnline]),
            Rule(
                id: "offline", events: [.deviceOffline, .deviceSilent, .testMissed], alarm: "device-offline",
                severity: .medium, policy: "technical", clears: [.deviceOnline]),
            Rule(
                id: "battery", events: [.batteryLow], alarm: "low-battery", severity: .low, policy: "technical",
                clears: [.batteryOK]),
            Rule(
                id: "tamper", events: [.tamper], alarm: "tamper", severity: .medium, policy: "technical",
                clears: [.tamperCleared]),
        ]
        return site
    }

    let t0 = Fixture.t0

    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    func report(_ source: String, _ events: [DeviceEvent] = []) -> Input {
        .report(DeviceReport(source: source, events: events))
    }

    func raised(_ effects: [Effect]) -> [Alarm] {
        effects.savedAlarms.filter { $0.state == .raised && $0.repeats == 0 && $0.tier == 0 }
    }

    @Test func firstPassStartsWatchingAndRaisesNothing() {
        var engine = Engine(site: Self.site())
        let effects = engine.handle(.supervise, at: t0)
        #expect(effects.savedAlarms.isEmpty)
        let watched = effects.compactMap { if case .saveSource(let s) = $0 { s.id } else { nil } }
        // Doors have no limit; fall sensors, SOS buttons, the pendant and the receiver do.
        #expect(watched.contains("room101-fall") && watched.contains("receiver") && watched.contains("room101-pendant"))
        #expect(!watched.contains("room101-door") && !watched.contains("zigbee"))
        #expect(engine.nextSupervisionDeadline(now: t0) == at(120))
    }

    @Test func silencePastTheProfileLimitRaisesOneTechnicalAlarmAndHearingClearsIt() {
        var engine = Engine(site: Self.site())
        _ = engine.handle(.supervise, at: t0)
        _ = engine.handle(report("receiver"), at: at(100))
        // Keep the receiver alive so only the fall sensor falls silent.
        for minute in 1...30 { _ = engine.handle(report("receiver"), at: at(Double(minute) * 60 + 100)) }
        _ = engine.handle(report("room101-fall", [DeviceEvent(kind: .fallCleared, device: "room101-fall")]), at: at(60))
        // The other fall sensors, never heard, fell silent at 1800 s; this one was heard at 60 s.
        #expect(engine.handle(.supervise, at: at(1859)).savedAlarms.filter { $0.device == "room101-fall" }.isEmpty)
        let effects = engine.handle(.supervise, at: at(1860))
        let alarms = raised(effects).filter { $0.device == "room101-fall" }
        #expect(alarms.count == 1)
        #expect(alarms.first?.kind == "device-offline")
        #expect(alarms.first?.policy == "technical")
        #expect(engine.sources["room101-fall"]?.silent == true)
        // On record whatever the rules make of it (reports read uptime from these).
        let offline = effects.audits.first { $0.action == .deviceOffline && $0.detail["source"] == "room101-fall" }
        #expect(offline?.actor == "hub")
        #expect(offline?.detail["event"] == "device.silent")
        // Raised once: a later pass says nothing more.
        #expect(engine.handle(.supervise, at: at(1900)).savedAlarms.filter { $0.device == "room101-fall" }.isEmpty)

        let back = engine.handle(report("room101-fall"), at: at(2000))
        let cleared = back.savedAlarms.first { $0.device == "room101-fall" }
        #expect(cleared?.state == .resolved)
        #expect(cleared?.outcome == Outcome.recovered)
        #expect(back.auditActions.contains(.alarmResolved))
        #expect(back.audits.first { $0.action == .deviceOnline }?.detail["source"] == "room101-fall")
        #expect(engine.sources["room101-fall"]?.silent == false)
    }

    @Test func aContactIDUnitWithoutItsPeriodicTestRaisesTestMissed() {
        var engine = Engine(site: Self.site())
        _ = engine.handle(.supervise, at: t0)
        _ = engine.handle(.availability(source: "receiver", online: true, reason: "port open"), at: t0)
        var t = 0.0
        while t < 90_000 {
            t += 60
            _ = engine.handle(report("receiver"), at: at(t))
            _ = engine.handle(report("room101-fall"), at: at(t))
            _ = engine.handle(report("room102-fall"), at: at(t))
            for n in 103...106 { _ = engine.handle(report("room\(n)-fall"), at: at(t)) }
            for n in 101...106 { _ = engine.handle(report("room\(n)-sos"), at: at(t)) }
        }
        let effects = engine.handle(.supervise, at: at(90_000))
        let alarm = raised(effects).first { $0.device == "room101-pendant" }
        #expect(alarm?.kind == "device-offline")
        #expect(effects.audits.first { $0.action == .alarmRaised }?.detail["event"] == "test.missed")
    }

    @Test func anOfflineBridgeRaisesOneAlarmAndHoldsBackItsDevices() {
        var engine = Engine(site: Self.site())
        _ = engine.handle(.supervise, at: t0)
        _ = engine.handle(.availability(source: "zigbee", online: true, reason: "bridge state"), at: t0)
        let down = engine.handle(.availability(source: "zigbee", online: false, reason: "bridge state"), at: at(10))
        #expect(raised(down).map(\.kind) == ["bridge-offline"])
        #expect(raised(down).first?.device == "zigbee")
        #expect(raised(down).first?.room == "tech")
        // Hours pass: no device behind the bridge raises its own silence, nor its offline.
        _ = engine.handle(report("receiver"), at: at(7000))
        let later = engine.handle(.supervise, at: at(8000))
        #expect(raised(later).filter { $0.device.hasPrefix("room") && !$0.device.contains("pendant") }.isEmpty)
        let offline = engine.handle(
            .availability(source: "room103-fall", online: false, reason: "zigbee2mqtt availability"), at: at(8100))
        #expect(raised(offline).isEmpty)

        // Back: the bridge alarm clears, the device that went offline meanwhile is raised now,
        // and the others get a full window from now.
        let up = engine.handle(.availability(source: "zigbee", online: true, reason: "bridge state"), at: at(9000))
        #expect(up.savedAlarms.first { $0.kind == "bridge-offline" }?.state == .resolved)
        #expect(raised(up).map(\.device) == ["room103-fall"])
        #expect(raised(up).first?.kind == "device-offline")
        _ = engine.handle(report("receiver"), at: at(10_700))
        #expect(raised(engine.handle(.supervise, at: at(10_700))).filter { $0.device == "room101-fall" }.isEmpty)
        #expect(raised(engine.handle(.supervise, at: at(10_800))).contains { $0.device == "room101-fall" })
    }

    @Test func explicitOfflineRaisesAndOnlineClears() {
        var engine = Engine(site: Self.site())
        // First news of online recovers nothing.
        #expect(
            engine.handle(.availability(source: "room104-sos", online: true, reason: "z2m"), at: t0).savedAlarms
                .isEmpty)
        let down = engine.handle(.availability(source: "room104-sos", online: false, reason: "z2m"), at: at(5))
        #expect(raised(down).map(\.kind) == ["device-offline"])
        #expect(down.audits.first?.action == .deviceOffline)
        #expect(down.audits.first?.actor == "device:room104-sos")
        // Saying offline again changes nothing.
        #expect(engine.handle(.availability(source: "room104-sos", online: false, reason: "z2m"), at: at(6)).isEmpty)
        let up = engine.handle(.availability(source: "room104-sos", online: true, reason: "z2m"), at: at(50))
        #expect(up.savedAlarms.first?.state == .resolved)
        #expect(up.audits.first?.action == .deviceOnline)
    }

    @Test func batteryLevelCrossingTheLimitRaisesOnceAndAChangedBatteryClears() {
        var engine = Engine(site: Self.site())
        func level(_ percent: Double, _ t: Double) -> [Effect] {
            engine.handle(
                report("room102-sos", [DeviceEvent(kind: .batteryLevel, device: "room102-sos", value: percent)]),
                at: at(t))
        }
        #expect(raised(level(40, 0)).isEmpty)
        #expect(raised(level(20, 10)).map(\.kind) == ["low-battery"])
        #expect(level(18, 20).savedAlarms.isEmpty)
        // Hovering just above the limit does not clear it (hysteresis).
        #expect(level(24, 30).savedAlarms.isEmpty)
        #expect(level(100, 40).savedAlarms.first?.state == .resolved)
        #expect(engine.sources["room102-sos"]?.battery == 100)
    }

    @Test func explicitBatteryLowAndTamperAreEdgeTriggered() {
        var engine = Engine(site: Self.site())
        let low = DeviceEvent(kind: .batteryLow, device: "room105-sos")
        let tamper = DeviceEvent(kind: .tamper, device: "room105-sos")
        let first = engine.handle(report("room105-sos", [low, tamper]), at: t0)
        #expect(Set(raised(first).map(\.kind)) == ["low-battery", "tamper"])
        // The same flags in every later message: nothing new, not even a join.
        let again = engine.handle(report("room105-sos", [low, tamper]), at: at(60))
        #expect(again.savedAlarms.isEmpty)
        #expect(!again.auditActions.contains(.alarmJoined))
        let cleared = engine.handle(
            report("room105-sos", [DeviceEvent(kind: .tamperCleared, device: "room105-sos")]), at: at(120))
        #expect(cleared.savedAlarms.map(\.kind) == ["tamper"])
        #expect(cleared.savedAlarms.first?.state == .resolved)
    }

    @Test func rejectionsAreCountedOnTheSource() {
        var engine = Engine(site: Self.site())
        _ = engine.handle(.rejected(source: "receiver", reason: "bad Contact ID checksum"), at: t0)
        let effects = engine.handle(.rejected(source: "receiver", reason: "garbage before frame (3 bytes)"), at: at(1))
        #expect(effects.savedAlarms.isEmpty)
        #expect(engine.sources["receiver"]?.rejected == 2)
        #expect(engine.sources["receiver"]?.lastRejection == "garbage before frame (3 bytes)")
    }

    @Test func reconciledEventsAreMarkedInTheAudit() {
        var engine = Engine(site: Self.site())
        let effects = engine.handle(
            .report(
                DeviceReport(
                    source: "room103-fall", events: [DeviceEvent(kind: .fallDetected, device: "room103-fall")],
                    digest: "d1", reconciled: true)),
            at: t0)
        let raisedEntry = effects.audits.first { $0.action == .alarmRaised }
        #expect(raisedEntry?.detail["reconciled"] == "true")
        #expect(engine.sources["room103-fall"]?.lastDigest == "d1")
    }

    @Test func aCareAlarmIsNotClearedByItsDevice() {
        var engine = Engine(site: Self.site())
        _ = engine.handle(report("room101-fall", [DeviceEvent(kind: .fallDetected, device: "room101-fall")]), at: t0)
        let effects = engine.handle(
            report("room101-fall", [DeviceEvent(kind: .fallCleared, device: "room101-fall")]), at: at(30))
        #expect(effects.savedAlarms.isEmpty)
        #expect(engine.openAlarms.values.contains { $0.kind == "fall" })
    }

    /// zigbee2mqtt repeats its retained "online" on every reconnect, long after a battery device
    /// died: that must not clear the device's silence. Only the device speaking does.
    @Test func aRepeatedOnlineDoesNotClearSilence() {
        var engine = Engine(site: Self.site())
        _ = engine.handle(.supervise, at: t0)
        _ = engine.handle(.availability(source: "room102-sos", online: true, reason: "z2m"), at: t0)
        _ = engine.handle(report("receiver"), at: at(7100))
        let silent = engine.handle(.supervise, at: at(7200))
        #expect(raised(silent).contains { $0.device == "room102-sos" })
        #expect(engine.handle(.availability(source: "room102-sos", online: true, reason: "z2m"), at: at(7300)).isEmpty)
        #expect(engine.sources["room102-sos"]?.silent == true)
        // Retained state replayed by the broker is not the device speaking either.
        let replay = engine.handle(
            .report(DeviceReport(source: "room102-sos", events: [], digest: "old", retained: true)), at: at(7400))
        #expect(replay.savedAlarms.isEmpty)
        #expect(engine.sources["room102-sos"]?.silent == true)
        let spoke = engine.handle(report("room102-sos"), at: at(7500))
        #expect(spoke.savedAlarms.first { $0.device == "room102-sos" }?.state == .resolved)
    }

    /// A Contact ID unit reporting its pendant lost (381) is still speaking itself: its next
    /// periodic test must not clear the alarm; the pendant's restore does.
    @Test func aLostPendantStaysLostUntilItsRestore() {
        var engine = Engine(site: Self.site())
        let unit = "room101-pendant"
        let lost = engine.handle(report(unit, [DeviceEvent(kind: .deviceOffline, device: unit)]), at: t0)
        #expect(raised(lost).map(\.kind) == ["device-offline"])
        let test = engine.handle(report(unit, [DeviceEvent(kind: .testPeriodic, device: unit)]), at: at(3600))
        #expect(test.savedAlarms.isEmpty)
        #expect(engine.openAlarms.values.contains { $0.device == unit })
        let restore = engine.handle(report(unit, [DeviceEvent(kind: .deviceOnline, device: unit)]), at: at(3700))
        #expect(restore.savedAlarms.first?.state == .resolved)
    }

    /// The hub's own downtime is not its devices' silence: after a restart, silence counts
    /// from the restart.
    @Test func silenceCountsFromTheRestartAtTheEarliest() {
        var engine = Engine(site: Self.site())
        _ = engine.handle(.supervise, at: t0)
        var restarted = Engine(site: Self.site(), sources: Array(engine.sources.values))
        restarted.resumedAt = at(5000)
        #expect(raised(restarted.handle(.supervise, at: at(5001))).isEmpty)
        #expect(restarted.nextSupervisionDeadline(now: at(5001)) == at(5120))
        let later = restarted.handle(.supervise, at: at(5000 + 1800))
        #expect(raised(later).contains { $0.device == "room101-fall" })
    }
}
