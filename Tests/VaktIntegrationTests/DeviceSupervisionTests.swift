import Foundation
import Testing
import VaktTesting

/// The device layer against a real broker and hub: availability in both zigbee2mqtt formats,
/// technical alarms raised and cleared by themselves, a bridge holding back its devices, the
/// bridge's device list checked, unknown devices counted, and what `vakt devices` shows.
@Suite(.serialized)
struct DeviceSupervisionTests {
    @Test func offlineDevicesAndLowBatteriesRaiseTechnicalAlarmsThatClearThemselves() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, receiver, site, hub) = running.parts
        let devices = try subscribe(broker, "vakt/marker/devices/+")
        defer { devices.stop() }

        // zigbee2mqtt 2.x availability (JSON): offline raises a technical alarm for the operator.
        // zigbee2mqtt retains availability, bridge state and the device list; so do these tests,
        // which also makes them independent of when the hub's subscription reaches the broker.
        try retained(broker, "zigbee2mqtt/room103/fall/availability", #"{"state":"offline"}"#)
        try devices.waitForLine(
            containing:
                #"vakt/marker/devices/room103-fall {"battery":null,"last_seen":null,"low_battery":false,"online":false"#
        )
        let raised = try waitForAlarm(site) { $0["kind"] as? String == "device-offline" }
        #expect(raised["device"] as? String == "room103-fall")
        #expect(raised["severity"] as? String == "medium")
        // The technical policy's first tier reaches the operator, not the night staff.
        let notice = try #require(try receiver.waitForRequests(count: 1).first)
        #expect((notice["recipient"] as? [String: Any])?["id"] as? String == "op1")
        #expect((notice["alarm"] as? [String: Any])?["kind"] as? String == "device-offline")

        // zigbee2mqtt 1.x availability (plain text): online clears it, outcome recovered.
        try retained(broker, "zigbee2mqtt/room103/fall/availability", "online")
        let cleared = try waitForAlarm(site, all: true) {
            $0["id"] as? String == raised["id"] as? String && $0["state"] as? String == "resolved"
        }
        #expect(cleared["outcome"] as? String == "recovered")

        // A battery at 15 % raises one low-battery alarm; the same level again raises nothing more.
        try publish(broker, "zigbee2mqtt/room105/sos", #"{"battery":15,"linkquality":64,"voltage":2500}"#)
        let low = try waitForAlarm(site) { $0["kind"] as? String == "low-battery" }
        #expect(low["device"] as? String == "room105-sos")
        try publish(broker, "zigbee2mqtt/room105/sos", #"{"battery":"15.00","linkquality":60,"voltage":2500}"#)
        let status = try devices.waitForLine(containing: #"vakt/marker/devices/room105-sos {"battery":15"#)
        #expect(status.contains(#""low_battery":true"#))
        let listing = try deviceList(site)
        let sos = try #require(listing.first { $0["id"] as? String == "room105-sos" })
        #expect(sos["battery"] as? Int == 15)
        #expect(sos["low_battery"] as? Bool == true)
        let sosAlarms = sos["alarms"] as? [[String: Any]] ?? []
        #expect(sosAlarms.count == 1)
        #expect(sosAlarms.first?["technical"] as? Bool == true)
        // A changed battery clears it.
        try publish(broker, "zigbee2mqtt/room105/sos", #"{"battery":100,"linkquality":60,"voltage":3000}"#)
        _ = try waitForAlarm(site, all: true) {
            $0["id"] as? String == low["id"] as? String && $0["state"] as? String == "resolved"
        }
        #expect(try alarms(data: site.dataPath).isEmpty)
        #expect(hub.isRunning)
    }

    @Test func aBridgeGoingOfflineRaisesOneAlarmAndHoldsBackItsDevices() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, hub) = running.parts

        try retained(broker, "zigbee2mqtt/bridge/state", #"{"state":"online"}"#)
        try retained(broker, "zigbee2mqtt/bridge/state", #"{"state":"offline"}"#)
        let bridge = try waitForAlarm(site) { $0["kind"] as? String == "bridge-offline" }
        #expect(bridge["device"] as? String == "zigbee")
        #expect(bridge["room"] as? String == "tech")
        #expect(bridge["severity"] as? String == "high")
        // With the bridge down, a device reported offline is held back: no second alarm yet.
        try retained(broker, "zigbee2mqtt/room104/fall/availability", #"{"state":"offline"}"#)
        try waitForDevice(site, "room104-fall") { $0["online"] as? Bool == false }
        #expect(try alarms(data: site.dataPath).count == 1)
        // The bridge is back (1.x plain text): its alarm clears, and the device still offline is
        // raised now.
        try retained(broker, "zigbee2mqtt/bridge/state", "online")
        _ = try waitForAlarm(site, all: true) {
            $0["id"] as? String == bridge["id"] as? String && $0["state"] as? String == "resolved"
        }
        let device = try waitForAlarm(site) { $0["kind"] as? String == "device-offline" }
        #expect(device["device"] as? String == "room104-fall")
        #expect(try alarms(data: site.dataPath, all: true).count == 2)
        #expect(hub.isRunning)
    }

    @Test func theBridgeDeviceListAndUnknownDevicesShowInVaktDevices() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, _, site, hub) = running.parts

        // zigbee2mqtt's retained list: room101/door paired as another model, room102/door not
        // paired at all, and a device paired that nobody configured.
        let list = """
            [{"friendly_name":"Coordinator","ieee_address":"0x00124b0000000000","type":"Coordinator","definition":null},
             {"friendly_name":"room101/door","ieee_address":"0x00158d0001000001","type":"EndDevice","supported":true,
              "definition":{"model":"SNZB-04","vendor":"SONOFF"}},
             {"friendly_name":"room103/door","ieee_address":"0x00158d0001000003","type":"EndDevice","supported":true,
              "definition":{"model":"MCCGQ11LM","vendor":"Aqara"}},
             {"friendly_name":"hallway/button","ieee_address":"0x00158d0001000009","type":"EndDevice",
              "definition":{"model":"TS0215A_sos","vendor":"Tuya"}}]
            """
        try retained(broker, "zigbee2mqtt/bridge/devices", list)
        try hub.waitForLine(containing: "paired but not configured in devices.yaml: hallway/button")
        try publish(broker, "zigbee2mqtt/hallway/button", #"{"action":"emergency"}"#)
        try hub.waitForLine(containing: "no device owns topic zigbee2mqtt/hallway/button")

        let listing = try deviceList(site)
        let entry = { (id: String) in listing.first { $0["id"] as? String == id } }
        #expect((entry("room101-door")?["warning"] as? String)?.contains("as model SNZB-04") == true)
        #expect((entry("room102-door")?["warning"] as? String)?.contains("not in zigbee2mqtt's device list") == true)
        #expect(entry("room103-door")?["warning"] is NSNull)
        #expect(entry("zigbee")?["type"] as? String == "bridge")
        #expect(entry("zigbee")?["rejected"] as? Int == 1)
        #expect((entry("zigbee")?["last_rejection"] as? String)?.contains("hallway/button") == true)
        // An unconfigured SOS button raises nothing: it is not known to belong to anyone.
        #expect(try alarms(data: site.dataPath).isEmpty)

        let table = try VaktCLI.run(["devices", "--config", site.configPath, "--data", site.dataPath])
        #expect(table.status == 0)
        #expect(table.stdout.contains("room101-door"))
        #expect(table.stdout.contains("as model SNZB-04"))
    }

    /// The broker lost the hub's session (here: a client took its id with a clean session)
    /// while a door opened. On reconnect the retained state differs from the stored one: the
    /// change is raised, marked as reconciled. Retained state equal to the stored one is old
    /// news and raises nothing again.
    @Test func retainedStateMissedWhileAwayIsReconciledOnReconnect() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let site = try DemoSiteCopy(
            webhookURL: receiver.url,
            edits: [
                "escalation.yaml": [
                    (
                        "rules:\n",
                        "rules:\n  - { id: door, events: [door.opened], alarm: door, severity: high, policy: standard }\n"
                    )
                ]
            ])
        defer { site.remove() }
        // A fall left retained on the broker before the hub ever ran: only a starting point
        // (it may be days old), raised by nobody.
        try retained(broker, "zigbee2mqtt/room104/fall", Payloads.heimanFallAlarm)
        var hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        try hub.waitForLine(containing: "device room104-fall: first state seen, from the broker's retained copy")
        try retained(broker, "zigbee2mqtt/room101/door", Payloads.door(open: false, linkquality: 90))
        try retained(broker, "zigbee2mqtt/room103/fall", Payloads.tuyaFall)
        let fall = try waitForAlarm(site) { $0["kind"] as? String == "fall" }
        #expect(
            try VaktCLI.run([
                "resolve", try #require(fall["id"] as? String), "--as", "ns1", "--outcome", "false-alarm",
                "--config", site.configPath, "--broker", broker.url,
            ]).status == 0)
        #expect(hub.stop() == 0)

        try retained(broker, "zigbee2mqtt/room101/door", Payloads.door(open: true, linkquality: 80))
        try dropSession(broker, clientID: "vakt-marker")
        hub = try VaktCLI.startHub(config: site.configPath, broker: broker.url, data: site.dataPath)
        defer { _ = hub.stop() }
        let door = try waitForAlarm(site) { $0["kind"] as? String == "door" }
        #expect(door["device"] as? String == "room101-door")
        try hub.waitForLine(containing: "its retained state differs from the last one stored")
        let timeline = try VaktCLI.run(["timeline", try #require(door["id"] as? String), "--data", site.dataPath])
        #expect(timeline.stdout.contains("reconciled"))
        // The fall sensors' retained "fall" is what the hub stored last: no second fall alarm,
        // and room 104's old fall is still only a starting point.
        let open = try alarms(data: site.dataPath)
        #expect(open.map { $0["kind"] as? String } == ["door"])
        #expect(try alarms(data: site.dataPath, all: true).filter { $0["kind"] as? String == "fall" }.count == 1)
    }
}

/// Publishes a retained message at QoS 1.
func retained(_ broker: MosquittoBroker, _ topic: String, _ message: String) throws {
    let pub = try ChildProcess(
        "/usr/bin/mosquitto_pub",
        ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-r", "-t", topic, "-m", message])
    let status = pub.wait()
    guard status == 0 else { throw TestSupportError("mosquitto_pub exited \(status): \(pub.output)") }
}

/// Connects once with `clientID` and a clean session, so the broker forgets that client's
/// session and whatever it had queued for it.
func dropSession(_ broker: MosquittoBroker, clientID: String) throws {
    let sub = try ChildProcess(
        "/usr/bin/mosquitto_sub",
        ["-h", "127.0.0.1", "-p", "\(broker.port)", "-i", clientID, "-t", "vakt/nothing", "-W", "1"])
    _ = sub.wait()
}

/// Waits (polling `vakt alarms`) for an alarm matching `match`.
@discardableResult
func waitForAlarm(_ site: DemoSiteCopy, all: Bool = false, timeout: TimeInterval = 20, _ match: ([String: Any]) -> Bool)
    throws -> [String: Any]
{
    do {
        return try eventually(timeout: timeout) { try alarms(data: site.dataPath, all: all).first(where: match) }
    } catch {
        throw TestSupportError(
            "no matching alarm within \(Int(timeout)) s: \(try alarms(data: site.dataPath, all: true))")
    }
}

/// Polls `probe` every 0.1 s until it gives a value, for at most `timeout` seconds.
func eventually<T>(timeout: TimeInterval = 20, _ probe: () throws -> T?) throws -> T {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if let value = try probe() { return value }
        guard Date() < deadline else { throw TestSupportError("nothing within \(Int(timeout)) s") }
        Thread.sleep(forTimeInterval: 0.1)
    }
}

/// The device's entry in `vakt devices --json`, once `match` holds for it.
@discardableResult
func waitForDevice(_ site: DemoSiteCopy, _ id: String, _ match: @escaping ([String: Any]) -> Bool) throws
    -> [String: Any]
{
    try eventually { try deviceList(site).first { $0["id"] as? String == id }.flatMap { match($0) ? $0 : nil } }
}

/// `vakt devices --json` parsed.
func deviceList(_ site: DemoSiteCopy) throws -> [[String: Any]] {
    let result = try VaktCLI.run(["devices", "--config", site.configPath, "--data", site.dataPath, "--json"])
    guard result.status == 0,
        let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
    else { throw TestSupportError("vakt devices: \(result.status) \(result.stderr) \(result.stdout)") }
    return array
}
