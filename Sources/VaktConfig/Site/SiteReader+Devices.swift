import Foundation
import VaktCore

extension SiteReader {
    /// `{id, profile, room, topic | port | receiver+account+zone, max_silence}`.
    ///
    /// How a device is reached follows from its profile: a `json` profile needs `topic`, a
    /// `vakt-line` profile `port`, a `contact-id` profile `receiver` and `account` (and
    /// optionally `zone`). Topics, ports and account+zone pairs are unique.
    func readDevice(_ value: YAMLValue) -> Device? {
        let links = ["topic", "port", "receiver", "account", "zone"]
        guard
            let fields = value.fields(
                allowed: ["id", "profile", "room", "max_silence"] + links, required: ["id", "profile", "room"],
                diagnostics)
        else { return nil }
        let id = declareID(.device, fields)
        if let id, registry.contains(.bridge, id), let value = fields["id"] {
            diagnostics.report("\(value.path): '\(id)' is already the id of a bridge or receiver", at: value.position)
        }
        let profileID = reference(.profile, "profile", in: fields)
        let room = reference(.room, "room", in: fields)
        let maxSilence = fields["max_silence"].flatMap { $0.duration(diagnostics) }
        let format = profileID.flatMap { profiles?[$0]?.format }
        if let format, format.isReceiver, let value = fields["profile"] {
            diagnostics.report(
                "\(value.path): '\(profileID ?? "")' describes an alarm receiver; list it under 'bridges'",
                at: value.position)
            return nil
        }
        let link = readLink(fields, format: format, at: value)
        guard let id, let profileID, let room, let link else { return nil }
        return Device(id: id, profile: profileID, room: room, link: link, maxSilence: maxSilence)
    }

    /// The device's link, from whichever of topic, port or receiver it gives, checked against
    /// the transport its profile's format needs (when the profile is known).
    private func readLink(_ fields: YAMLFields, format: PayloadFormat?, at value: YAMLValue) -> Device.Link? {
        let given = ["topic", "port", "receiver"].filter { fields[$0] != nil }
        guard given.count == 1, let key = given.first else {
            let expected = format.map { Self.linkKey(for: $0.transport) } ?? "one of 'topic', 'port' or 'receiver'"
            let problem = given.isEmpty ? "needs \(expected)" : "has \(given.joined(separator: " and ")); give only one"
            diagnostics.report("\(value.path): a device \(problem)", at: value.position)
            return nil
        }
        if let format, Self.linkKey(for: format.transport) != "'\(key)'" {
            diagnostics.report(
                "\(value.path): a device with a \(format.rawValue) profile needs \(Self.linkKey(for: format.transport)), not '\(key)'",
                at: fields.keyPosition(key))
            return nil
        }
        for extra in ["account", "zone"] where key != "receiver" && fields[extra] != nil {
            diagnostics.report("\(value.path): '\(extra)' goes with 'receiver'", at: fields.keyPosition(extra))
        }
        switch key {
        case "topic": return readTopic(fields)
        case "port": return readPort(fields).map { .serial(port: $0) }
        default: return readContactID(fields, at: value)
        }
    }

    private static func linkKey(for transport: PayloadFormat.Transport) -> String {
        switch transport {
        case .mqtt: "'topic'"
        case .serial: "'port'"
        case .receiver: "'receiver'"
        }
    }

    /// A topic without MQTT wildcards, unique across devices.
    private func readTopic(_ fields: YAMLFields) -> Device.Link? {
        guard let value = fields["topic"], let text = value.nonEmptyString(diagnostics) else { return nil }
        if text.contains("+") || text.contains("#") {
            diagnostics.report(
                "\(value.path): topic '\(text)' may not contain the MQTT wildcards + or #", at: value.position)
            return nil
        }
        registry.declare(.topic, text, at: value, diagnostics)
        return .mqtt(topic: text)
    }

    /// A serial device path, unique across devices and receivers; relative paths are taken
    /// from the config directory.
    func readPort(_ fields: YAMLFields) -> String? {
        guard let value = fields["port"], let text = value.nonEmptyString(diagnostics) else { return nil }
        let path = PathJoin.resolve(text, against: directory)
        registry.declare(.port, path, at: value, diagnostics)
        return path
    }

    /// `receiver`, `account` (four Contact ID digits, 0-9 and B-F; an `A` reads as `0`, as
    /// receivers print it) and an optional three-digit `zone`; an account+zone pair may belong
    /// to only one device.
    private func readContactID(_ fields: YAMLFields, at value: YAMLValue) -> Device.Link? {
        let receiver = reference(.bridge, "receiver", in: fields)
        guard let accountValue = fields["account"] else {
            diagnostics.report("\(value.path): a Contact ID device needs 'account'", at: value.position)
            return nil
        }
        let digits = Set("0123456789ABCDEF")
        var account = accountValue.nonEmptyString(diagnostics).map {
            $0.uppercased().replacingOccurrences(of: "A", with: "0")
        }
        if let text = account, text.count != 4 || !text.allSatisfy(digits.contains) {
            diagnostics.report(
                "\(accountValue.path): a Contact ID account is four digits (0-9, B-F), like \"1234\"; got '\(text)'",
                at: accountValue.position)
            account = nil
        }
        var zone: String?
        if let zoneValue = fields["zone"], let text = zoneValue.nonEmptyString(diagnostics) {
            if text.count == 3, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
                zone = text
            } else {
                diagnostics.report(
                    "\(zoneValue.path): a Contact ID zone is three digits, like \"001\"; got '\(text)'",
                    at: zoneValue.position)
                return nil
            }
        }
        guard let receiver, let account else { return nil }
        registry.declare(
            .contactID, "account \(account) \(zone.map { "zone \($0)" } ?? "(all zones)") on \(receiver)", at: value,
            diagnostics)
        return .contactID(receiver: receiver, account: account, zone: zone)
    }

    /// `{id, room, type: zigbee2mqtt, topic}` or `{id, room, type: receiver, profile, port}`;
    /// `max_silence` optional.
    func readBridge(_ value: YAMLValue) -> Bridge? {
        guard
            let fields = value.fields(
                allowed: ["id", "room", "type", "topic", "profile", "port", "max_silence"],
                required: ["id", "room", "type"], diagnostics)
        else { return nil }
        guard let value = fields["id"], let id = value.nonEmptyString(diagnostics) else { return nil }
        registry.declare(.bridge, id, at: value, diagnostics)
        let room = reference(.room, "room", in: fields)
        var maxSilence = fields["max_silence"].flatMap { $0.duration(diagnostics) }
        let type = fields["type"].flatMap { $0.choice(BridgeType.self, diagnostics) }
        var kind: Bridge.Kind?
        switch type {
        case .zigbee2mqtt:
            maxSilence = nil
            for key in ["profile", "port", "max_silence"] where fields[key] != nil {
                diagnostics.report(
                    "\(fields.value.path): '\(key)' does not apply to a zigbee2mqtt bridge (it is watched through its bridge/state)",
                    at: fields.keyPosition(key))
            }
            if let topic = fields["topic"]?.nonEmptyString(diagnostics) {
                kind = .zigbee2mqtt(baseTopic: topic)
            } else if fields["topic"] == nil {
                diagnostics.report(
                    "\(fields.value.path): a zigbee2mqtt bridge needs 'topic' (its base topic, usually zigbee2mqtt)",
                    at: fields.value.position)
            }
        case .receiver:
            if fields["topic"] != nil {
                diagnostics.report(
                    "\(fields.value.path): 'topic' does not apply to a receiver", at: fields.keyPosition("topic"))
            }
            let profile = reference(.profile, "profile", in: fields)
            if let profile, let format = profiles?[profile]?.format, !format.isReceiver, let value = fields["profile"] {
                diagnostics.report(
                    "\(value.path): '\(profile)' is not a receiver profile (its format is \(format.rawValue))",
                    at: value.position)
            }
            if fields["profile"] == nil || fields["port"] == nil {
                diagnostics.report(
                    "\(fields.value.path): a receiver needs 'profile' and 'port'", at: fields.value.position)
            }
            if let profile, let port = readPort(fields) { kind = .receiver(profile: profile, port: port) }
        case nil: break
        }
        guard let room, let kind else { return nil }
        return Bridge(id: id, room: room, kind: kind, maxSilence: maxSilence)
    }
}

private enum BridgeType: String, CaseIterable {
    case zigbee2mqtt
    case receiver
}
