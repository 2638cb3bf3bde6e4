import Foundation
import VaktCore

/// Reads a scenario file and checks every step against the site.
///
/// Steps, one mapping each:
/// - `{device: ID, sample: KIND}`: the first of the device profile's recorded samples that
///   yields the event kind (so the payload is in the model's real format);
/// - `{device: ID, payload: TEXT, retain: BOOL}`: a payload as written (MQTT JSON, a whole
///   `vakt-line` line, or a Contact ID message `AAAA 18 QXYZ GG CCC`);
/// - `{device: ID, fields: {KEY: VALUE}}`: a `vakt-line` frame, or a JSON object over MQTT;
/// - `{device: ID, availability: online|offline}`;
/// - `{bridge: ID, state: online|offline}`;
/// - `{garbage: ID, text: TEXT}`: bytes that are no frame, on the port of a receiver or
///   serial device (YAML escapes such as `\x07` allowed);
/// - `{wait: DURATION}`.
public enum ScenarioLoader {
    public static func load(path: String, site: Site) throws(ConfigErrors) -> Scenario {
        let diagnostics = Diagnostics()
        guard let root = YAMLFile.read(path, diagnostics) else {
            if diagnostics.errors.isEmpty { diagnostics.report("the scenario is empty", at: .start(of: path)) }
            throw ConfigErrors(diagnostics.errors)
        }
        var scenario = Scenario(description: "", steps: [])
        if let fields = root.fields(allowed: ["description", "steps"], required: ["steps"], diagnostics) {
            scenario.description = fields["description"]?.string(diagnostics) ?? ""
            let reader = StepReader(site: site, diagnostics: diagnostics)
            // An empty list is a scenario too: `vakt simulate --keep-open` then only holds the ports.
            scenario.steps = fields.sequence("steps", diagnostics).compactMap(reader.read)
        }
        guard diagnostics.errors.isEmpty else { throw ConfigErrors(diagnostics.errors) }
        return scenario
    }
}

private struct StepReader {
    let site: Site
    let diagnostics: Diagnostics

    func read(_ value: YAMLValue) -> Scenario.Step? {
        guard
            let fields = value.fields(
                allowed: [
                    "device", "sample", "payload", "retain", "fields", "availability", "bridge", "state", "garbage",
                    "text", "wait",
                ], diagnostics)
        else { return nil }
        if let wait = fields["wait"] { return wait.duration(diagnostics).map { .wait(seconds: $0) } }
        if let bridge = fields["bridge"] {
            guard let id = bridge.nonEmptyString(diagnostics) else { return nil }
            guard site.bridge(id) != nil else {
                diagnostics.report("\(bridge.path): no bridge or receiver '\(id)'", at: bridge.position)
                return nil
            }
            return online(fields["state"], at: value).map { .bridge(id: id, online: $0) }
        }
        if let garbage = fields["garbage"] {
            guard let id = garbage.nonEmptyString(diagnostics), let text = fields["text"]?.string(diagnostics) else {
                if fields["text"] == nil {
                    diagnostics.report("\(value.path): garbage needs 'text'", at: value.position)
                }
                return nil
            }
            guard site.bridge(id) != nil || site.device(id)?.link.isSerial == true else {
                diagnostics.report("\(garbage.path): '\(id)' has no serial port", at: garbage.position)
                return nil
            }
            return .garbage(owner: id, bytes: Array(text.utf8))
        }
        guard let deviceValue = fields["device"], let id = deviceValue.nonEmptyString(diagnostics) else {
            diagnostics.report("\(value.path): a step needs device, bridge, garbage or wait", at: value.position)
            return nil
        }
        guard let device = site.device(id), let profile = site.profiles[device.profile] else {
            diagnostics.report("\(deviceValue.path): no device '\(id)'", at: deviceValue.position)
            return nil
        }
        if let availability = fields["availability"] {
            guard let topic = device.topic else {
                diagnostics.report(
                    "\(availability.path): only MQTT devices publish availability", at: availability.position)
                return nil
            }
            return online(availability, at: value).map { .availability(device: id, topic: topic, online: $0) }
        }
        var payload: String?
        if let sample = fields["sample"] {
            payload = samplePayload(sample, profile: profile)
            // A Contact ID sample is written for account 1234: send it as this unit's.
            if case .contactID(_, let account, let zone) = device.link, let text = payload {
                payload = Self.retarget(text, account: account, zone: zone)
            }
        } else if let text = fields["payload"] {
            payload = text.string(diagnostics)
        } else if let object = fields["fields"] {
            guard let pairs = stringPairs(object) else { return nil }
            if case .serial = device.link { return .fields(device: id, fields: pairs) }
            // Over MQTT the values keep their YAML types: numbers and booleans stay so.
            payload = String(decoding: WireJSON.bytes(pairs.mapValues(Self.typed)), as: UTF8.self)
        } else {
            diagnostics.report(
                "\(value.path): a device step needs sample, payload, fields or availability", at: value.position)
            return nil
        }
        guard let payload else { return nil }
        switch device.link {
        case .mqtt(let topic):
            let retain = fields["retain"]?.bool(diagnostics) ?? false
            return .publish(device: id, topic: topic, payload: payload, retain: retain)
        case .serial: return .line(device: id, text: payload)
        case .contactID(let receiver, _, _): return .contactID(device: id, receiver: receiver, message: payload)
        }
    }

    /// A Contact ID message (`AAAA 18 QXYZ GG CCC`) with another account, and zone if given.
    static func retarget(_ text: String, account: String, zone: String?) -> String {
        var parts = text.split(separator: " ").map(String.init)
        guard parts.count == 5 else { return text }
        parts[0] = account
        if let zone { parts[4] = zone }
        return parts.joined(separator: " ")
    }

    /// A scalar as JSON would carry it: a number, a boolean, or the text.
    static func typed(_ text: String) -> Any {
        if text == "true" { return true }
        if text == "false" { return false }
        if let number = Int(text) { return number }
        if let number = Double(text), number.isFinite { return number }
        return text
    }

    private func online(_ value: YAMLValue?, at step: YAMLValue) -> Bool? {
        guard let value else {
            diagnostics.report("\(step.path): say online or offline", at: step.position)
            return nil
        }
        return value.choice(from: [OnlineWord.online, .offline], diagnostics).map { $0 == .online }
    }

    private func samplePayload(_ value: YAMLValue, profile: DeviceProfile) -> String? {
        guard let text = value.nonEmptyString(diagnostics) else { return nil }
        let kind = EventKind(rawValue: text)
        let exact = profile.samples.first { $0.events == [kind] }
        guard let sample = exact ?? profile.samples.first(where: { $0.events.contains(kind) }) else {
            let kinds = Set(profile.samples.flatMap(\.events).map(\.rawValue)).sorted().joined(separator: ", ")
            diagnostics.report(
                "\(value.path): profile \(profile.id) has no sample yielding \(text); its samples yield: \(kinds)",
                at: value.position)
            return nil
        }
        return sample.payload
    }

    private func stringPairs(_ value: YAMLValue) -> [String: String]? {
        guard case .mapping(let mapping) = value.node else {
            value.reportType("a mapping of field names to values", diagnostics)
            return nil
        }
        var pairs: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string, let text = valueNode.scalar?.string else {
                diagnostics.report("\(value.path): fields are plain names and values", at: value.position)
                return nil
            }
            pairs[key] = text
        }
        return pairs
    }
}

private enum OnlineWord: String {
    case online
    case offline
}

extension Device.Link {
    fileprivate var isSerial: Bool {
        if case .serial = self { return true }
        return false
    }
}
