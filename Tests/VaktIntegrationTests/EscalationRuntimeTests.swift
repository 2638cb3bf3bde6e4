import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Testing
import VaktConfig
import VaktCore
import VaktDevices
import VaktNotify
import VaktRuntime
import VaktStore
import VaktTesting

/// The runtime around the engine, driven by a manual clock: real broker, real SQLite, real
/// HTTP, and time that moves only when the test moves it.
@Suite(.serialized)
struct EscalationRuntimeTests {
    /// A running hub (timer service, dispatcher, MQTT) in this process.
    final class Harness: @unchecked Sendable {
        let broker: MosquittoBroker
        let receiver: WebhookReceiver
        let site: DemoSiteCopy
        let clock: ManualClock
        let hub: Hub
        let audit = AuditWatch()
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let start = Date(timeIntervalSince1970: 1_795_655_640)  // 2026-11-26T01:14:00Z, 02:14 in Oslo
        /// The hub's services run here, not on the cooperative pool the test's own waits block.
        static let executor = ThreadExecutor()

        init(receiverArguments: [String] = []) throws {
            broker = try MosquittoBroker()
            receiver = try WebhookReceiver(arguments: receiverArguments)
            site = try DemoSiteCopy(webhookURL: receiver.url)
            clock = ManualClock(now: start)
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let loaded = try SiteLoader.load(directory: site.configPath)
            let store = try Store(directory: site.dataPath)
            hub = try Hub(site: loaded, store: store, clock: clock, logger: logger)
            hub.observeCommits { [audit] effects in audit.record(effects) }
            var notifiers: [String: any Notifier] = [:]
            for channel in loaded.channels {
                notifiers[channel.id] = try NotifierFactory.make(channel: channel, secrets: SecretResolver())
            }
            let mqtt = try MQTTService(hub: hub, address: try BrokerAddress.parse(broker.url), password: nil)
            group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [
                        .init(service: TimerService(hub: hub)),
                        // No spread: retries are due exactly when the manual clock is moved there.
                        .init(service: Dispatcher(hub: hub, notifiers: notifiers, jitter: { 0.5 })),
                        .init(service: mqtt),
                    ], logger: logger))
            task = Task(executorPreference: Self.executor) { [group] in try await group.run() }
        }

        func waitForConnection() throws {
            // The hub's retained state says online once it is connected and subscribed.
            let state = try subscribe(broker, "vakt/marker/hub/state")
            defer { state.stop() }
            try state.waitForLine(containing: "online")
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            receiver.stop()
            broker.stop()
            site.remove()
        }
    }

    private func recipients(_ requests: ArraySlice<[String: Any]>) -> [String] {
        requests.compactMap { ($0["recipient"] as? [String: Any])?["id"] as? String }.sorted()
    }

    private func tiers(_ requests: ArraySlice<[String: Any]>) -> Set<Int> {
        Set(requests.compactMap { ($0["alarm"] as? [String: Any])?["tier"] as? Int })
    }

    @Test func eachTierFiresAtItsInstantAndAcknowledgementStopsEscalation() async throws {
        let h = try Harness()
        do {
            try h.waitForConnection()
            try publish(h.broker, "zigbee2mqtt/room103/fall", Payloads.tuyaFall)

            var requests = try h.receiver.waitForRequests(count: 2)
            #expect(recipients(requests[0..<2]) == ["ns1", "ns2"])
            #expect(tiers(requests[0..<2]) == [0])

            // Tier 1 at exactly raise + 2 min: all night staff and the nurse in charge.
            try h.clock.waitForSleeper(until: h.start.addingTimeInterval(120))
            h.clock.advance(by: 119)
            #expect(
                h.clock.pendingDeadlines.contains(h.start.addingTimeInterval(120)),
                "one second early, the escalation timer is still asleep")
            h.clock.advance(by: 1)
            requests = try h.receiver.waitForRequests(count: 6)
            #expect(recipients(requests[2..<6]) == ["ns1", "ns2", "ns3", "sp1"])
            #expect(tiers(requests[2..<6]) == [1])

            // Tier 2 five minutes later adds next of kin who consented.
            try h.clock.waitForSleeper(until: h.start.addingTimeInterval(420))
            h.clock.advance(by: 300)
            let resident = try #require(h.hub.site.resident(h.hub.openAlarms.first?.resident ?? ""))
            let kin = resident.nextOfKin.filter(\.consentNotify).map(\.id)
            requests = try h.receiver.waitForRequests(count: 6 + 4 + kin.count)
            #expect(h.hub.openAlarms.first?.tier == 2)
            #expect(recipients(requests[6...]) == (["ns1", "ns2", "ns3", "sp1"] + kin).sorted())

            // The last tier repeats every 5 minutes until someone answers.
            try h.clock.waitForSleeper(until: h.start.addingTimeInterval(720))
            h.clock.advance(by: 300)
            let sent = 2 * (6 + 4 + kin.count) - 6
            requests = try h.receiver.waitForRequests(count: sent)
            #expect(h.hub.openAlarms.first?.round == 1)
            // Every delivery so far is on record before staff answer.
            try h.audit.wait(for: .notificationDelivered, count: sent)
            // Each went out once, though the dispatcher hears of fresh ones twice (in memory
            // from the commit, and from the outbox).
            let all = try h.receiver.waitForRequests(count: sent)
            #expect(all.count == sent)
            #expect(Set(all.compactMap { $0["idempotency_key"] as? String }).count == sent)

            let client = try CommandClient(
                address: try BrokerAddress.parse(h.broker.url), clientID: "test-ns2", logger: Logger(label: "cli"))
            let reply = try client.send(
                Command(id: "r1", staff: "ns2", action: .acknowledge, alarm: "A1"), site: "marker")
            #expect(reply.ok)
            #expect(h.hub.openAlarms.first?.state == .acknowledged)
            #expect(try h.hub.store.pendingTimers().isEmpty, "acknowledgement cancels escalation")

            let timeline = try h.hub.store.timeline(alarm: "A1").map(\.action)
            #expect(timeline.filter { $0 == "alarm.escalated" }.count == 3)
            #expect(timeline.last == "alarm.acknowledged")
        } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }

    @Test func aFreshAlarmGoesOutThoughTheOutboxCannotBeRead() async throws {
        let h = try Harness()
        do {
            // A pending row that does not decode: every read of the outbox fails on it, so only
            // the notifications handed over in memory at commit can go.
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)  // the running hub writes too
            let db = try DatabaseQueue(path: h.site.dataPath + "/vakt.sqlite", configuration: configuration)
            try await db.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO outbox (key, json, alarm, channel, created_at, attempts, next_attempt_at, state)
                        VALUES ('broken', 'not json', 'A0', 'staff-phones', 0, 0, 0, 'pending')
                        """)
            }
            #expect(throws: StoreError.self) { try h.hub.store.dueOutbox(at: h.start, limit: 10) }
            try h.waitForConnection()
            try publish(h.broker, "zigbee2mqtt/room103/fall", Payloads.tuyaFall)
            let requests = try h.receiver.waitForRequests(count: 2)
            #expect(recipients(requests[0..<2]) == ["ns1", "ns2"])
            try h.audit.wait(for: .notificationDelivered, count: 2)
        } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }

    @Test func aWallClockStepEitherWayLeavesEscalationOnElapsedTime() async throws {
        let h = try Harness()
        do {
            try h.waitForConnection()
            try publish(h.broker, "zigbee2mqtt/room103/fall", Payloads.tuyaFall)
            _ = try h.receiver.waitForRequests(count: 2)
            try h.clock.waitForSleeper(until: h.start.addingTimeInterval(120))

            // The wall clock goes an hour back. Two minutes after the raise, tier 1 is due all
            // the same, on time: its timer moved back with the clock.
            h.clock.stepWall(by: -3600)
            h.clock.advance(by: 120)
            var requests = try h.receiver.waitForRequests(count: 6)
            #expect(tiers(requests[2..<6]) == [1])
            try h.audit.wait(for: .clockJumped, count: 1)
            let escalated = try h.hub.store.auditRecords().last { $0.action == "alarm.escalated" }
            #expect(escalated?.detail["late_seconds"] == nil)

            // Then two hours ahead: nothing is due early; tier 2 waits its five minutes.
            h.clock.stepWall(by: 7200)
            try h.clock.waitForSleeper(until: h.start.addingTimeInterval(420 + 3600))
            #expect(h.hub.openAlarms.first?.tier == 1)
            h.clock.advance(by: 300)
            requests = try h.receiver.waitForRequests(count: 11)
            #expect(h.hub.openAlarms.first?.tier == 2)
            let steps = try h.hub.store.auditRecords().filter { $0.action == AuditAction.clockJumped.rawValue }
            #expect(steps.map { $0.detail["wall_step_seconds"] } == ["-3600", "7200"])
            #expect(steps.allSatisfy { $0.detail["timers_moved"] == "1" })
        } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }

    @Test func aFailedDeliveryIsRetriedWithBackoffAndAudited() async throws {
        let h = try Harness(receiverArguments: ["--fail-first", "2", "--status", "503"])
        do {
            try h.waitForConnection()
            let channel = try subscribe(h.broker, "vakt/marker/channels/webhook")
            defer { channel.stop() }
            try publish(h.broker, "zigbee2mqtt/room101/sos", Payloads.sosPress)
            // Dashboards learn that the channel fails, and that it delivers again.
            try channel.waitForLine(containing: #""state":"failing""#)
            // Both tier-0 notifications fail once (503): the retry is due 2 s later.
            _ = try h.receiver.waitForRequests(count: 2)
            try h.clock.waitForSleeper(until: h.start.addingTimeInterval(2))
            h.clock.advance(by: 2)
            let requests = try h.receiver.waitForRequests(count: 4)
            #expect(recipients(requests[2..<4]) == ["ns1", "ns2"])
            let keys = requests.compactMap { $0["idempotency_key"] as? String }
            #expect(Set(keys).count == 2, "a retry carries the same idempotency key")

            // The receiver answers before the hub commits the result: wait for both commits.
            try h.audit.wait(for: .notificationDelivered, count: 2)
            try channel.waitForLine(containing: #""state":"ok""#)
            let timeline = try h.hub.store.timeline(alarm: "A1").map(\.action)
            #expect(timeline.filter { $0 == "notification.retrying" }.count == 2)
            #expect(timeline.filter { $0 == "notification.delivered" }.count == 2)
        } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }
}

/// Counts committed audit actions, so a test can wait for a commit instead of polling.
final class AuditWatch: @unchecked Sendable {
    private let condition = NSCondition()
    private var counts: [AuditAction: Int] = [:]

    func record(_ effects: [Effect]) {
        condition.lock()
        for case .audit(let entry) in effects { counts[entry.action, default: 0] += 1 }
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until `count` entries with `action` have committed (30 s safety net).
    func wait(for action: AuditAction, count: Int) throws {
        let limit = Date().addingTimeInterval(30)
        condition.lock()
        defer { condition.unlock() }
        while counts[action, default: 0] < count {
            if !condition.wait(until: limit) {
                throw TestSupportError("\(action) committed \(counts[action, default: 0]) times, expected \(count)")
            }
        }
    }
}
