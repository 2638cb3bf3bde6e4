import Foundation
import Logging
import Testing
import VaktTesting

@testable import VaktDevices

private let logger = Logger(label: "vakt.test.mqtt")

/// A connected client whose messages and connections are recorded.
private final class Probe: @unchecked Sendable {
    let client: MQTTClient
    let messages = Recorder<MQTTMessage>()
    let connects = Recorder<Bool>()
    let disconnects = Recorder<Int32>()

    /// Connects as `clientID`, subscribing to `filter` on every connection.
    init(_ broker: MosquittoBroker, clientID: String, cleanSession: Bool = true, filter: String?, will: MQTTWill? = nil)
        throws
    {
        client = try MQTTClient(
            options: MQTTClientOptions(clientID: clientID, cleanSession: cleanSession, will: will), logger: logger)
        client.onMessage = { [messages] in messages.append($0) }
        client.onConnect = { [client, connects] sessionPresent in
            if let filter { try? client.subscribe(filter, qos: 1) }
            connects.append(sessionPresent)
        }
        client.onDisconnect = { [disconnects] in disconnects.append($0) }
        try client.connect(to: try BrokerAddress.parse(broker.url))
        guard client.waitUntilConnected(timeout: .seconds(10)) else { throw TestSupportError("no connection") }
    }

    /// Publishes to `topic` and waits for the client's own copy: then the broker has processed
    /// everything this client sent before, including its subscriptions.
    func roundTrip(_ topic: String) throws {
        let marker = Array(UUID().uuidString.utf8)
        try client.publish(topic, payload: marker, qos: 1, retain: false)
        let seen = messages.wait { $0.contains { $0.topic == topic && $0.payload == marker } }
        guard seen.contains(where: { $0.payload == marker }) else {
            throw TestSupportError("round trip on \(topic) timed out")
        }
    }

    func payloads(on topic: String) -> [String] {
        messages.all.filter { $0.topic == topic }.map { String(decoding: $0.payload, as: UTF8.self) }
    }

    deinit { client.disconnect() }
}

@Suite(.serialized) struct MQTTClientTests {
    @Test func receivesQoS1Messages() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let a = try Probe(broker, clientID: "a", filter: "t/#")
        try a.roundTrip("t/probe")
        let b = try Probe(broker, clientID: "b", filter: nil)
        try b.client.publish("t/room1", payload: Array(#"{"contact":false}"#.utf8), qos: 1, retain: false)
        let got = a.messages.wait { $0.contains { $0.topic == "t/room1" } }.first { $0.topic == "t/room1" }
        #expect(got?.payload == Array(#"{"contact":false}"#.utf8))
        #expect(got?.qos == 1)
        #expect(got?.retain == false)
        #expect((got?.mid ?? 0) > 0)
        #expect(a.connects.all == [false])
    }

    @Test func receivesFromMosquittoPub() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let a = try Probe(broker, clientID: "a", filter: "z/#")
        try a.roundTrip("z/probe")
        let pub = try ChildProcess(
            "/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", "z/sos", "-m", ""])
        #expect(pub.wait() == 0)
        let got = a.messages.wait { $0.contains { $0.topic == "z/sos" } }
        #expect(got.first { $0.topic == "z/sos" }?.payload == [])
    }

    @Test func retainedMessageArrivesWithRetainFlag() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let b = try Probe(broker, clientID: "b", filter: nil)
        try b.client.publish("r/hub/state", payload: Array("online".utf8), qos: 1, retain: true)
        // Disconnecting right away must not lose the publish: it leaves before the DISCONNECT.
        b.client.disconnect()
        let a = try Probe(broker, clientID: "a", filter: "r/#")
        let got = a.messages.wait { $0.contains { $0.topic == "r/hub/state" } }.first { $0.topic == "r/hub/state" }
        #expect(got?.retain == true)
        #expect(got?.payload == Array("online".utf8))
    }

    @Test func willIsPublishedWhenTheConnectionIsCut() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let watcher = try Probe(broker, clientID: "watcher", filter: "w/#")
        try watcher.roundTrip("w/probe")
        let hub = try Probe(
            broker, clientID: "hub", filter: nil,
            will: MQTTWill(topic: "w/hub/state", payload: Array("offline".utf8), qos: 1, retain: true))
        hub.client.abortConnection()
        let got = watcher.messages.wait { $0.contains { $0.topic == "w/hub/state" } }
        #expect(got.contains { $0.topic == "w/hub/state" && $0.payload == Array("offline".utf8) })
        // libmosquitto notices, reports the loss, and reconnects by itself.
        #expect(hub.disconnects.wait(count: 1).first.map { $0 != 0 } == true)
        #expect(hub.connects.wait(count: 2).count == 2)
        #expect(hub.client.isConnected)
    }

    @Test func gracefulDisconnectSendsNoWill() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let hub = try Probe(
            broker, clientID: "hub", filter: nil,
            will: MQTTWill(topic: "g/hub/state", payload: Array("offline".utf8), qos: 1, retain: true))
        hub.client.disconnect()
        hub.client.disconnect()  // idempotent
        #expect(hub.disconnects.wait(count: 1) == [0])
        try broker.waitForLog(containing: "Client hub disconnected.")
        // A retained will would reach a new subscriber before its own round trip does.
        let watcher = try Probe(broker, clientID: "watcher", filter: "g/#")
        try watcher.roundTrip("g/probe")
        #expect(watcher.payloads(on: "g/hub/state").isEmpty)
    }

    @Test func persistentSessionKeepsMessagesWhileAway() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        var away: Probe? = try Probe(broker, clientID: "hub", cleanSession: false, filter: "p/#")
        try away?.roundTrip("p/probe")
        away = nil  // graceful disconnect

        let count = 300
        let sender = try Probe(broker, clientID: "sender", filter: "p/#")
        for i in 0..<count {
            try sender.client.publish("p/dev", payload: Array("\(i)".utf8), qos: 1, retain: false)
        }
        // The sender sees its own messages: the broker has queued them for the hub too.
        sender.messages.wait { $0.filter { $0.topic == "p/dev" }.count >= count }

        let back = try MQTTClient(options: MQTTClientOptions(clientID: "hub", cleanSession: false), logger: logger)
        let messages = Recorder<MQTTMessage>()
        let sessions = Recorder<Bool>()
        back.onMessage = { messages.append($0) }
        back.onConnect = { sessions.append($0) }
        try back.connect(to: try BrokerAddress.parse(broker.url))
        defer { back.disconnect() }
        // Only p/dev: the round-trip probe may come again too, if its PUBACK had not left when
        // the probe disconnected (at-least-once, as MQTT allows).
        let got = messages.wait { $0.filter { $0.topic == "p/dev" }.count >= count }.filter { $0.topic == "p/dev" }
        #expect(sessions.all == [true])
        #expect(got.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<count).map(String.init))
        #expect(got.allSatisfy { $0.qos == 1 && !$0.retain })
    }

    @Test func reconnectsAfterBrokerRestart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let broker = try MosquittoBroker(persistenceDirectory: directory.path)
        defer { broker.stop() }
        let hub = try Probe(broker, clientID: "hub", cleanSession: false, filter: "b/#")
        try hub.roundTrip("b/probe1")

        try broker.restart()
        // No call from the test: libmosquitto reconnects, onConnect subscribes again.
        let sessions = hub.connects.wait(count: 2)
        #expect(sessions == [false, true])
        #expect(hub.disconnects.all.count == 1 && hub.disconnects.all.allSatisfy { $0 != 0 })
        try hub.roundTrip("b/probe2")

        let sender = try Probe(broker, clientID: "sender", filter: nil)
        try sender.client.publish("b/dev", payload: Array("after".utf8), qos: 1, retain: false)
        #expect(hub.messages.wait { $0.contains { $0.topic == "b/dev" } }.contains { $0.topic == "b/dev" })
    }

    @Test func disconnectWhileBrokerIsDownReturns() throws {
        let broker = try MosquittoBroker()
        let hub = try Probe(broker, clientID: "hub", filter: nil)
        broker.stop()
        hub.disconnects.wait(count: 1)
        #expect(!hub.client.isConnected)
        hub.client.disconnect()
        #expect(throws: MosquittoError.noConnection) {
            try hub.client.publish("x", payload: [], qos: 1, retain: false)
        }
    }

    @Test func disconnectFromInsideACallback() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let hub = try Probe(broker, clientID: "hub", filter: "c/#")
        hub.client.onMessage = { [client = hub.client] _ in client.disconnect() }
        try hub.client.publish("c/x", payload: [1], qos: 1, retain: false)
        #expect(hub.disconnects.wait(count: 1) == [0])
        hub.client.disconnect()
        #expect(!hub.client.isConnected)
    }

    @Test func connectingToNothingThrows() throws {
        let port = try freeTCPPort()
        let client = try MQTTClient(options: MQTTClientOptions(clientID: "lonely"), logger: logger)
        do {
            try client.connect(to: BrokerAddress(host: "127.0.0.1", port: port))
            Issue.record("connected to a closed port")
        } catch let error as MosquittoError {
            #expect(error == .systemError)
            #expect(error.systemErrno == ECONNREFUSED)
            #expect(error.description.contains("refused"))
        }
        #expect(!client.isConnected)
        client.disconnect()
    }

    @Test func errorsMatchByCode() {
        do {
            let client = try MQTTClient(options: MQTTClientOptions(clientID: "idle"), logger: logger)
            try client.subscribe("x/#", qos: 1)
            Issue.record("subscribed while disconnected")
        } catch MosquittoError.noConnection {
            // expected
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(MosquittoError.noConnection.description.contains("not currently connected"))
        #expect(throws: MosquittoError.invalid) {
            _ = try MQTTClient(options: MQTTClientOptions(clientID: "", cleanSession: false), logger: logger)
        }
    }
}

/// The client's own loop acknowledges what its handler takes, batch by batch: mosquitto has at
/// most 20 QoS 1 messages in flight to a client (`max_inflight_messages`), so a client whose
/// PUBACKs did not go out would receive 20 of these 300 and then nothing (checked against
/// mosquitto 2.0 with a client that never acknowledges).
@Suite(.serialized) struct MQTTClientAcknowledgementTests {
    @Test func liveMessagesKeepComingBecauseEachBatchIsAcknowledged() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let subscribed = Recorder<Int>()
        let taken = Recorder<[MQTTMessage]>()
        let client = try MQTTClient(options: MQTTClientOptions(clientID: "acking-hub"), logger: logger)
        client.onConnect = { [client] _ in _ = try? client.subscribe("t/#", qos: 1) }
        client.onSubscribe = { [subscribed] in subscribed.append($0) }
        client.onBatch = { [taken] messages in
            taken.append(messages)
            return true
        }
        try client.connect(to: try BrokerAddress.parse(broker.url))
        defer { client.disconnect() }
        _ = subscribed.wait(count: 1)
        let devices = try Probe(broker, clientID: "devices", filter: "u/#")
        for n in 0..<300 {
            try devices.client.publish("t/\(n)", payload: Array("\(n)".utf8), qos: 1, retain: false)
        }
        let all = taken.wait { $0.flatMap { $0 }.count >= 300 }.flatMap { $0 }
        #expect(all.map(\.topic) == (0..<300).map { "t/\($0)" })
    }
}

/// The client's own loop (`onBatch`): messages come in batches, and a batch the handler does
/// not take is not acknowledged, so the broker delivers it again.
///
/// QoS 1 is at least once: PUBACKs written just before the cut can die with the connection
/// before the broker reads them (mosquitto drops a connection whose socket errors, or which a
/// new connection with the same client id takes over, without reading what is left in it), and
/// it then sends those messages again. The hub's session keys make such a redelivery a
/// duplicate. So messages taken before the cut may come twice; none may be taken
/// twice after it, which is what taking a message read from the cut connection would do.
@Suite(.serialized) struct MQTTClientBatchTests {
    @Test func aBacklogComesInBatchesAndARefusedBatchComesAgain() throws {
        let persistence = try TemporaryDirectory(prefix: "vakt-broker")
        defer { persistence.remove() }
        let broker = try MosquittoBroker(persistenceDirectory: persistence.path)
        defer { broker.stop() }
        let batches = Recorder<[MQTTMessage]>()
        let refusals = Recorder<[MQTTMessage]>()
        let takenBeforeRefusal = Recorder<Int>()
        let subscribed = Recorder<Int>()
        func hub() throws -> MQTTClient {
            let client = try MQTTClient(
                options: MQTTClientOptions(clientID: "batching-hub", cleanSession: false), logger: logger)
            client.onConnect = { [client] _ in _ = try? client.subscribe("t/#", qos: 1) }
            client.onSubscribe = { [subscribed] in subscribed.append($0) }
            return client
        }
        // Subscribed once, then away: the broker keeps 300 messages for the session.
        let first = try hub()
        first.onBatch = { _ in true }
        try first.connect(to: try BrokerAddress.parse(broker.url))
        _ = subscribed.wait(count: 1)
        first.disconnect()
        let devices = try Probe(broker, clientID: "devices", filter: "u/#")
        for n in 0..<300 {
            try devices.client.publish("t/\(n)", payload: Array("\(n)".utf8), qos: 1, retain: false)
        }
        try devices.roundTrip("u/flush")

        // Back: the first batch that holds message 150 is refused once.
        let again = try hub()
        again.onBatch = { [batches, refusals, takenBeforeRefusal] messages in
            if refusals.all.isEmpty, messages.contains(where: { $0.topic == "t/150" }) {
                takenBeforeRefusal.append(batches.all.count)
                refusals.append(messages)
                return false
            }
            batches.append(messages)
            return true
        }
        try again.connect(to: try BrokerAddress.parse(broker.url))
        defer { again.disconnect() }
        let all = batches.wait { Set($0.flatMap { $0 }.map(\.topic)).count >= 300 }
        let refused = try #require(refusals.all.first)
        let cut = try #require(takenBeforeRefusal.all.first)
        let before = all.prefix(cut).flatMap { $0 }.map(\.topic)
        let after = all.dropFirst(cut).flatMap { $0 }.map(\.topic)
        // Every message taken; none twice on either side of the cut; the refused batch came
        // again after it.
        #expect(Set(before + after).count == 300)
        #expect(Set(before).count == before.count)
        #expect(Set(after).count == after.count, "a message read from the cut connection was taken")
        #expect(Set(refused.map(\.topic)).isSubset(of: Set(after)))
        #expect(Set(refused.map(\.topic)).isDisjoint(with: Set(before)))
        #expect(batches.all.contains { $0.count > 1 }, "a backlog comes in batches, not one by one")
    }
}
