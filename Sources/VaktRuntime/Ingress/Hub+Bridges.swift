import Foundation
import VaktCore
import VaktDevices
import VaktStore

extension Hub {
    /// Messages on topics no device owns: availability, a zigbee2mqtt bridge's own topics, and
    /// messages from devices nobody configured.
    func routeHousekeeping(_ message: MQTTMessage, key: String, session: MQTTSessionUpdate) throws {
        let topic = message.topic
        if topic.hasSuffix("/availability"), let device = site.device(onTopic: String(topic.dropLast(13))) {
            try noteAvailability(message, of: device.id, what: "availability", key: key, session: session)
            return
        }
        let bridge = site.bridges.first { bridge in bridge.baseTopic.map { topic.hasPrefix("\($0)/") } ?? false }
        if let bridge, let base = bridge.baseTopic {
            let rest = topic.dropFirst(base.count + 1)
            if rest == "bridge/state" {
                try noteAvailability(message, of: bridge.id, what: "bridge state", key: key, session: session)
                return
            }
            if rest == "bridge/devices" {
                try checkInventory(message, of: bridge, key: key, session: session)
                return
            }
            if rest.hasPrefix("bridge/") || rest.hasSuffix("/set") || rest.hasSuffix("/get")
                || rest.hasSuffix("/availability")
            {
                // zigbee2mqtt's logs, responses and commands sent to it: not device events.
                return
            }
            try reject(
                message, key: key, session: session, source: bridge.id,
                reason: "no device owns topic \(topic) (paired with \(bridge.id) but not configured in devices.yaml?)")
            return
        }
        if topic.hasSuffix("/availability") || topic.hasSuffix("/set") || topic.hasSuffix("/get") { return }
        try reject(message, key: key, session: session, source: topic, reason: "no device owns topic \(topic)")
    }

    /// zigbee2mqtt's word that a device (`<topic>/availability`) or the bridge itself
    /// (`bridge/state`) is online or offline, in either format.
    private func noteAvailability(
        _ message: MQTTMessage, of source: String, what: String, key: String, session: MQTTSessionUpdate
    ) throws {
        guard let online = DeviceStatus.availability(message.payload) else {
            try reject(
                message, key: key, session: session, source: source, reason: "\(what) is neither online nor offline")
            return
        }
        let noun = site.bridge(source) == nil ? "device" : "bridge"
        try handle(
            [.availability(source: source, online: online, reason: "zigbee2mqtt \(what)")],
            event: record(message, key: key, device: source, kind: "\(noun).\(online ? "online" : "offline")"),
            session: session)
    }

    private func record(_ message: MQTTMessage, key: String, device: String, kind: String) -> EventRecord {
        EventRecord(
            key: key, receivedAt: clock.now(), source: message.topic, device: device, kind: kind,
            payload: Data(message.payload.prefix(Self.rejectedPayloadLimit)), status: .accepted, reason: nil)
    }

    /// Compares zigbee2mqtt's retained device list with the devices configured behind it, and
    /// warns about devices that are not paired or are another model than their profile.
    private func checkInventory(_ message: MQTTMessage, of bridge: Bridge, key: String, session: MQTTSessionUpdate)
        throws
    {
        guard let list = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [[String: Any]] else {
            try reject(
                message, key: key, session: session, source: bridge.id,
                reason: "the bridge's device list is not a JSON array of objects")
            return
        }
        let inventory = ZigbeeInventory(list)
        var problems: [String: String] = [:]
        for device in site.devices(behind: bridge) {
            guard let name = device.topic?.dropFirst((bridge.baseTopic ?? "").count + 1) else { continue }
            let expected = site.profiles[device.profile]?.modelIDs ?? []
            if let problem = inventory.problem(friendlyName: String(name), expectedModels: expected) {
                problems[device.id] = problem
                logger.warning("device \(device.id): \(problem)")
            }
        }
        let configured = Set(site.devices(behind: bridge).compactMap { $0.topic })
        let unconfigured = inventory.friendlyNames.filter {
            !configured.contains("\(bridge.baseTopic ?? "")/\($0)")
        }
        if !unconfigured.isEmpty {
            logger.notice(
                "\(bridge.id): paired but not configured in devices.yaml: \(unconfigured.joined(separator: ", "))")
        }
        try handle(
            [.inventory(bridge: bridge.id, problems: problems)],
            event: record(message, key: key, device: bridge.id, kind: "bridge.devices"), session: session)
    }
}

/// zigbee2mqtt's `bridge/devices` list: which friendly names are paired, and as what model.
struct ZigbeeInventory {
    /// Friendly name to `definition.model` (`nil` for devices zigbee2mqtt does not support).
    private var models: [String: String?] = [:]

    init(_ list: [[String: Any]]) {
        for entry in list {
            guard let name = entry["friendly_name"] as? String, entry["type"] as? String != "Coordinator" else {
                continue
            }
            let definition = entry["definition"] as? [String: Any]
            models[name] = definition?["model"] as? String
        }
    }

    var friendlyNames: [String] { models.keys.sorted() }

    /// What is wrong with the configured device, if anything.
    func problem(friendlyName: String, expectedModels: [String]) -> String? {
        guard let entry = models[friendlyName] else {
            return "'\(friendlyName)' is not in zigbee2mqtt's device list (not paired, or renamed)"
        }
        guard let model = entry else {
            return "zigbee2mqtt does not recognise '\(friendlyName)' (no definition); expected model "
                + expectedModels.joined(separator: " or ")
        }
        guard expectedModels.isEmpty || expectedModels.contains(model) else {
            return "zigbee2mqtt reports '\(friendlyName)' as model \(model); its profile is for "
                + expectedModels.joined(separator: " or ")
        }
        return nil
    }
}
