import Foundation
import Testing
import VaktTesting

/// The broker is a peer that comes and goes: at boot it may start after the hub, and it may
/// restart under a running hub. Neither stops the hub or loses a message.
@Suite(.serialized)
struct BrokerAvailabilityTests {
    @Test func aHubStartedBeforeItsBrokerConnectsWhenTheBrokerComesUp() throws {
        let broker = try MosquittoBroker()
        broker.stop()
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let site = try DemoSiteCopy(webhookURL: receiver.url)
        defer { site.remove() }
        let hub = try ChildProcess(
            RepositoryPaths.vaktBinary,
            ["run", "--config", site.configPath, "--broker", broker.url, "--data", site.dataPath])
        defer { hub.stop() }
        try hub.waitForLine(containing: "cannot reach the broker")
        #expect(hub.isRunning)

        try broker.restart()
        defer { broker.stop() }
        try hub.waitForLine(containing: "broker confirmed the subscriptions")
        try publish(broker, "zigbee2mqtt/room105/sos", Payloads.sosPress)
        let requests = try receiver.waitForRequests(count: 2)
        #expect(requests.allSatisfy { ($0["alarm"] as? [String: Any])?["room"] as? String == "105" })
        #expect(hub.stop() == 0)
    }

    @Test func aBrokerRestartUnderARunningHubLosesNothing() throws {
        let persistence = try TemporaryDirectory(prefix: "vakt-broker")
        defer { persistence.remove() }
        let broker = try MosquittoBroker(persistenceDirectory: persistence.path)
        defer { broker.stop() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let site = try DemoSiteCopy(webhookURL: receiver.url)
        defer { site.remove() }
        let hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        defer { hub.stop() }

        try broker.restart()
        // The hub's persistent session survives in the broker's persistence; the hub reconnects.
        try hub.waitForLine(containing: "session resumed")
        try publish(broker, "zigbee2mqtt/room104/fall", Payloads.heimanFallAlarm)
        _ = try receiver.waitForRequests(count: 2)
        #expect(try alarms(data: site.dataPath).map { $0["room"] as? String } == ["104"])
        #expect(hub.stop() == 0)

        // While the hub is down an SOS is pressed, and then the broker restarts too: the
        // press waits in the hub's session, in the broker's persistence, and is not lost.
        try publish(broker, "zigbee2mqtt/room106/sos", Payloads.sosPress)
        try broker.restart()
        let again = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        defer { again.stop() }
        try again.waitForLine(containing: "alarm A2 raised")
        #expect(try alarms(data: site.dataPath).map { $0["room"] as? String } == ["104", "106"])
        #expect(again.stop() == 0)
    }
}
