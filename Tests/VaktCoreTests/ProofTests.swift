import Foundation
import Testing
import VaktCore

/// Proof age over a simulated month: a device's chain is proven when a person answers an
/// alarm it raised; past its maximum age a technical alarm says it needs testing, and the
/// next answered alarm clears that. Time is handed in.
@Suite struct ProofTests {
    static let day = 86_400.0

    static func site() -> Site {
        var site = SupervisionTests.site()
        site.proof = ProofSettings(maxAge: 30 * day, byProfile: ["test/fall-sensor": 7 * day])
        site.rules.append(
            Rule(
                id: "proof", events: [.proofExpired], alarm: "proof-expired", severity: .low, policy: "technical",
                clears: [.proofRenewed]))
        return site
    }

    let t0 = Fixture.t0

    func at(days: Double) -> Date { t0.addingTimeInterval(days * Self.day) }

    func raised(_ effects: [Effect], kind: String) -> [Alarm] {
        effects.savedAlarms.filter { $0.kind == kind && $0.state == .raised && $0.tier == 0 && $0.repeats == 0 }
    }

    /// Keeps every supervised device and bridge alive, so only proofs are at stake.
    func heartbeat(_ engine: inout Engine, at instant: Date) {
        for id in engine.site.devices.map(\.id) + engine.site.bridges.map(\.id) {
            _ = engine.handle(.report(DeviceReport(source: id, events: [])), at: instant)
        }
    }

    @Test func aMonthWithAnsweredAndUnansweredDevices() throws {
        var engine = Engine(site: Self.site())
        _ = engine.handle(.supervise, at: t0)

        // Day 2: room 101's fall sensor raises a fall; Siri answers it. Chain proven.
        _ = engine.handle(
            .report(
                DeviceReport(source: "room101-fall", events: [DeviceEvent(kind: .fallDetected, device: "room101-fall")])
            ),
            at: at(days: 2))
        let fall = try #require(engine.openAlarms.values.first { $0.kind == "fall" })
        _ = engine.handle(
            .command(Command(id: "c1", staff: "ns1", action: .acknowledge, alarm: fall.id)), at: at(days: 2.01))
        #expect(engine.sources["room101-fall"]?.chainProvenAt == at(days: 2.01))
        #expect(engine.sources["room101-fall"]?.chainProof == "\(fall.id) (fall) answered by ns1")

        // Days 3 to 7: every device keeps reporting (links proven), nobody else raises anything.
        for day in 3...7 { heartbeat(&engine, at: at(days: Double(day))) }
        // Day 7: the other fall sensors, watched since day 0 and never proven, expire; room 101's not.
        let week = engine.handle(.supervise, at: at(days: 7))
        let expired = raised(week, kind: "proof-expired").map(\.device).sorted()
        #expect(expired == ["room102-fall", "room103-fall", "room104-fall", "room105-fall", "room106-fall"])
        #expect(raised(week, kind: "proof-expired").allSatisfy { $0.policy == "technical" && $0.severity == .low })
        #expect(engine.sources["room102-fall"]?.proofExpired == true)
        // Raised once: the next pass says nothing more about them.
        #expect(raised(engine.handle(.supervise, at: at(days: 7.5)), kind: "proof-expired").isEmpty)

        // Day 9: room 101's expires too (proven day 2, seven days).
        for day in 8...9 { heartbeat(&engine, at: at(days: Double(day))) }
        #expect(
            raised(engine.handle(.supervise, at: at(days: 9.02)), kind: "proof-expired").map(\.device) == [
                "room101-fall"
            ])

        // Day 10: room 102's sensor raises a fall and Jonas answers it: proof renewed, and its
        // proof-expired alarm clears itself.
        _ = engine.handle(
            .report(
                DeviceReport(source: "room102-fall", events: [DeviceEvent(kind: .fallDetected, device: "room102-fall")])
            ),
            at: at(days: 10))
        let second = try #require(engine.openAlarms.values.first { $0.kind == "fall" && $0.device == "room102-fall" })
        let answer = engine.handle(
            .command(Command(id: "c2", staff: "ns2", action: .acknowledge, alarm: second.id)), at: at(days: 10))
        let cleared = try #require(answer.savedAlarms.first { $0.kind == "proof-expired" })
        #expect(cleared.device == "room102-fall" && cleared.state == .resolved && cleared.outcome == Outcome.recovered)
        #expect(engine.sources["room102-fall"]?.proofExpired == false)

        // Day 30: the SOS buttons (30 days) expire; days 10 to 30 keep the links alive.
        for day in 11...30 { heartbeat(&engine, at: at(days: Double(day))) }
        let month = engine.handle(.supervise, at: at(days: 30))
        #expect(raised(month, kind: "proof-expired").filter { $0.device.hasSuffix("-sos") }.count == 6)
    }

    /// Answering a technical alarm proves the notification path, not the sensor: no proof.
    @Test func technicalAlarmsProveNothing() throws {
        var engine = Engine(site: Self.site())
        _ = engine.handle(.availability(source: "room103-sos", online: false, reason: "z2m"), at: t0)
        let offline = try #require(engine.openAlarms.values.first { $0.kind == "device-offline" })
        _ = engine.handle(.command(Command(id: "c1", staff: "sp1", action: .acknowledge, alarm: offline.id)), at: t0)
        #expect(engine.sources["room103-sos"]?.chainProvenAt == nil)
    }

    /// A second answer (onsite after acknowledge) does not move the proof: the first one did.
    @Test func onlyTheFirstAnswerProves() throws {
        var engine = Engine(site: Self.site())
        _ = engine.handle(
            .report(DeviceReport(source: "room104-sos", events: [DeviceEvent(kind: .sos, device: "room104-sos")])),
            at: t0)
        let sos = try #require(engine.openAlarms.values.first { $0.kind == "sos" })
        _ = engine.handle(
            .command(Command(id: "c1", staff: "ns1", action: .acknowledge, alarm: sos.id)), at: at(days: 0.001))
        _ = engine.handle(.command(Command(id: "c2", staff: "ns2", action: .onsite, alarm: sos.id)), at: at(days: 0.01))
        #expect(engine.sources["room104-sos"]?.chainProvenAt == at(days: 0.001))
        #expect(engine.sources["room104-sos"]?.chainProof?.hasSuffix("answered by ns1") == true)
    }

    /// A door contact yields nothing a care rule raises on: it can never be proven, so its proof
    /// age is never alarmed; a profile set to 0 is not alarmed either.
    @Test func devicesThatCannotBeProvenAreNotAlarmed() {
        var site = Self.site()
        site.profiles["test/door-contact"] = DeviceProfile(
            id: "test/door-contact", vendor: "T", model: "D", description: "",
            fields: [FieldMapping(field: "contact", type: .bool, values: ["false": .doorOpened, "true": .doorClosed])])
        site.proof.byProfile["test/sos-button"] = 0
        var engine = Engine(site: site)
        #expect(engine.proofMaxAge(of: site.device("room101-door")!) == nil)
        #expect(engine.proofMaxAge(of: site.device("room101-sos")!) == nil)
        #expect(engine.proofMaxAge(of: site.device("room101-fall")!) == 7 * Self.day)
        _ = engine.handle(.supervise, at: t0)
        let later = engine.handle(.supervise, at: at(days: 40))
        let expired = raised(later, kind: "proof-expired").map(\.device)
        #expect(expired.contains("room101-fall") && expired.contains("room101-pendant"))
        #expect(!expired.contains { $0.hasSuffix("-door") || $0.hasSuffix("-sos") })
    }

    /// Devices stored before proof ages existed count from the first pass that watches them,
    /// not from when they were first watched for silence: an upgrade does not expire them all.
    @Test func anUpgradeDoesNotExpireEveryDeviceAtOnce() {
        var old = SourceState(id: "room101-fall", watchedSince: t0)
        old.lastSeen = at(days: 59)
        var engine = Engine(site: Self.site(), sources: [old])
        #expect(raised(engine.handle(.supervise, at: at(days: 60)), kind: "proof-expired").isEmpty)
        #expect(engine.sources["room101-fall"]?.proofSince == at(days: 60))
    }
}
