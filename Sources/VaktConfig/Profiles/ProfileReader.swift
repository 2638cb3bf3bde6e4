import Foundation
import VaktCore

/// Reads one device profile file, reporting every problem in it.
struct ProfileReader {
    let diagnostics: Diagnostics

    /// `{vendor, model, description, format, model_ids, fields, details, codes, serial,
    /// supervision, samples}`; which of `fields`, `codes` and `serial` apply depends on `format`.
    func read(_ root: YAMLValue, id: String) -> DeviceProfile? {
        guard
            let fields = root.fields(
                allowed: [
                    "vendor", "model", "description", "format", "model_ids", "fields", "details", "codes", "serial",
                    "supervision", "samples",
                ],
                required: ["vendor", "model", "description"], diagnostics)
        else { return nil }
        let vendor = fields.string("vendor", diagnostics)
        let model = fields.string("model", diagnostics)
        let description = fields.string("description", diagnostics)
        let format = fields["format"].map { $0.choice(PayloadFormat.self, diagnostics) } ?? .json
        let modelIDs = fields["model_ids"].flatMap { $0.strings(diagnostics) }
        let details = fields.strings("details", diagnostics)
        if let format { checkApplicable(fields, to: format, at: root) }
        let mappings = fields["fields"].map(readFields) ?? []
        let codes = fields["codes"].map(readCodes) ?? [:]
        var serial: SerialSettings?
        if let format, format.transport == .serial {
            serial = fields["serial"].map(readSerial) ?? SerialSettings()
        }
        let supervision = fields["supervision"].map(readSupervision) ?? Supervision()
        let samples = fields.sequence("samples", diagnostics).compactMap { readSample($0, format: format ?? .json) }
        guard let vendor, let model, let description, let format else { return nil }
        return DeviceProfile(
            id: id, vendor: vendor, model: model, description: description, format: format, modelIDs: modelIDs,
            fields: mappings, details: details, codes: codes, serial: serial, supervision: supervision,
            samples: samples)
    }

    /// Reports keys that mean nothing for the format, and the one each format cannot do without.
    private func checkApplicable(_ fields: YAMLFields, to format: PayloadFormat, at root: YAMLValue) {
        let needs: String? =
            switch format {
            case .json, .vaktLine: "fields"
            case .contactID: "codes"
            case .ademco685, .surgardMLR2, .contactIDDTMF: nil
            }
        var misplaced: [String] = []
        if format != .json && format != .vaktLine { misplaced += ["fields", "details"] }
        if format != .contactID { misplaced.append("codes") }
        if format.transport != .serial { misplaced.append("serial") }
        for key in misplaced where fields[key] != nil {
            diagnostics.report(
                "\(root.path.isEmpty ? "" : "\(root.path): ")'\(key)' does not apply to format \(format.rawValue)",
                at: fields.keyPosition(key))
        }
        if let needs, fields[needs] == nil {
            diagnostics.report("a \(format.rawValue) profile needs '\(needs)'", at: root.position)
        }
    }

    /// The field mappings, each field once.
    private func readFields(_ value: YAMLValue) -> [FieldMapping] {
        guard let items = value.sequence(diagnostics) else { return [] }
        if items.isEmpty {
            diagnostics.report("\(value.path): a profile needs at least one field", at: value.position)
        }
        var mappings: [FieldMapping] = []
        var seen: [String: Position] = [:]
        for item in items {
            guard let mapping = readField(item) else { continue }
            if let first = seen[mapping.field] {
                diagnostics.report(
                    "\(item.path): duplicate field '\(mapping.field)' (first at \(first))", at: item.position)
            }
            seen[mapping.field] = seen[mapping.field] ?? item.position
            mappings.append(mapping)
        }
        return mappings
    }

    /// `{"XYZ": {event, restore}}`: three-digit Contact ID event codes.
    private func readCodes(_ value: YAMLValue) -> [String: ContactIDCode] {
        guard case .mapping(let mapping) = value.node else {
            value.reportType("a mapping of three-digit event codes", diagnostics)
            return [:]
        }
        var codes: [String: ContactIDCode] = [:]
        for (keyNode, valueNode) in mapping {
            let key = YAMLValue(node: keyNode, file: value.file, path: value.path)
            guard let code = key.string(diagnostics) else { continue }
            guard code.count == 3, code.allSatisfy(\.isHexDigit) else {
                diagnostics.report(
                    "\(value.path): a Contact ID event code is three digits, like \"101\"; got '\(code)'",
                    at: key.position)
                continue
            }
            let entry = value.child(code, valueNode)
            guard let fields = entry.fields(allowed: ["event", "restore"], required: ["event"], diagnostics),
                let event = fields["event"].flatMap({ deviceEventKind($0) })
            else { continue }
            let restore = fields["restore"].flatMap { deviceEventKind($0) }
            codes[code.uppercased()] = ContactIDCode(event: event, restore: restore)
        }
        return codes
    }

    /// `{baud, data_bits, parity, stop_bits}`, each optional (9600 8N1 by default).
    private func readSerial(_ value: YAMLValue) -> SerialSettings {
        var settings = SerialSettings()
        guard
            let fields = value.fields(allowed: ["baud", "data_bits", "parity", "stop_bits"], diagnostics)
        else { return settings }
        if let item = fields["baud"], let baud = item.int(diagnostics) {
            if SerialSettings.supportedBauds.contains(baud) {
                settings.baud = baud
            } else {
                let list = SerialSettings.supportedBauds.map(String.init).joined(separator: ", ")
                diagnostics.report("\(item.path): unsupported baud \(baud); supported: \(list)", at: item.position)
            }
        }
        if let item = fields["data_bits"], let bits = item.int(diagnostics) {
            if (5...8).contains(bits) {
                settings.dataBits = bits
            } else {
                diagnostics.report("\(item.path): data_bits is 5 to 8, got \(bits)", at: item.position)
            }
        }
        if let parity = fields["parity"].flatMap({ $0.choice(SerialSettings.Parity.self, diagnostics) }) {
            settings.parity = parity
        }
        if let item = fields["stop_bits"], let bits = item.int(diagnostics) {
            if bits == 1 || bits == 2 {
                settings.stopBits = bits
            } else {
                diagnostics.report("\(item.path): stop_bits is 1 or 2, got \(bits)", at: item.position)
            }
        }
        return settings
    }

    /// `{max_silence, silent_event}`: the silent event is `device.silent` or `test.missed`.
    private func readSupervision(_ value: YAMLValue) -> Supervision {
        var supervision = Supervision()
        guard let fields = value.fields(allowed: ["max_silence", "silent_event"], diagnostics) else {
            return supervision
        }
        supervision.maxSilence = fields["max_silence"].flatMap { $0.positiveDuration(diagnostics) }
        if let item = fields["silent_event"] {
            supervision.silentEvent =
                item.choice(from: [EventKind.deviceSilent, EventKind.testMissed], diagnostics) ?? .deviceSilent
        }
        return supervision
    }

    /// An event kind a device may report: known, and not one the hub derives itself.
    private func deviceEventKind(_ value: YAMLValue) -> EventKind? {
        guard let kind = eventKind(value, diagnostics) else { return nil }
        if EventKind.hubOnly.contains(kind) {
            diagnostics.report(
                "\(value.path): '\(kind)' is raised by the hub's supervision, not by a device", at: value.position)
            return nil
        }
        return kind
    }

    /// `{field, type, values | event, ignore}`: `values` for bool and string fields, `event`
    /// for number fields, `ignore` for string fields only.
    func readField(_ value: YAMLValue) -> FieldMapping? {
        guard
            let fields = value.fields(
                allowed: ["field", "type", "values", "event", "ignore"], required: ["field", "type"], diagnostics)
        else { return nil }
        let name = fields.string("field", diagnostics)
        let type = fields["type"].flatMap { $0.choice(FieldType.self, diagnostics) }
        var values: [String: EventKind] = [:]
        if let mapping = fields["values"] { values = readValues(mapping, type: type) }
        let event = fields["event"].flatMap { deviceEventKind($0) }
        var ignore: [String] = []
        if let list = fields["ignore"]?.sequence(diagnostics) {
            // A YAML null stands for a JSON null in the payload and is kept as "null".
            ignore = list.compactMap { $0.isNull ? "null" : $0.string(diagnostics) }
        }
        if let type {
            let misplaced: [String] =
                switch type {
                case .number: ["values", "ignore"]
                case .bool: ["event", "ignore"]
                case .string: ["event"]
                }
            for key in misplaced where fields[key] != nil {
                diagnostics.report(
                    "\(value.path): '\(key)' does not apply to a \(type.rawValue) field", at: fields.keyPosition(key))
            }
            if type == .number, fields["event"] == nil {
                diagnostics.report("\(value.path): a number field needs 'event'", at: value.position)
            }
            if type != .number, fields["values"] == nil {
                diagnostics.report("\(value.path): a \(type.rawValue) field needs 'values'", at: value.position)
            }
        }
        guard let name, let type else { return nil }
        return FieldMapping(field: name, type: type, values: values, event: event, ignore: ignore)
    }

    /// `{payload value: event kind}`; a bool field's keys must be `"true"` and `"false"`.
    private func readValues(_ value: YAMLValue, type: FieldType?) -> [String: EventKind] {
        guard case .mapping(let mapping) = value.node else {
            value.reportType("a mapping", diagnostics)
            return [:]
        }
        var values: [String: EventKind] = [:]
        for (keyNode, valueNode) in mapping {
            let key = YAMLValue(node: keyNode, file: value.file, path: value.path)
            guard let text = key.string(diagnostics) else { continue }
            if type == .bool, text != "true", text != "false" {
                diagnostics.report(
                    "\(value.path): a bool field's values are keyed \"true\" and \"false\", got '\(text)'",
                    at: key.position)
                continue
            }
            if let kind = deviceEventKind(value.child(text, valueNode)) { values[text] = kind }
        }
        return values
    }

    /// `{payload, events}` for devices (a `json` payload must be a JSON object), `{payload,
    /// messages}` for receivers.
    func readSample(_ value: YAMLValue, format: PayloadFormat) -> ProfileSample? {
        let expected = format.isReceiver ? "messages" : "events"
        guard let fields = value.fields(allowed: ["payload", expected], required: ["payload", expected], diagnostics)
        else { return nil }
        var payload = fields["payload"]?.string(diagnostics)
        if format == .json, let text = payload, let value = fields["payload"] {
            let object = try? JSONSerialization.jsonObject(with: Data(text.utf8))
            if !(object is [String: Any]) {
                diagnostics.report("\(value.path): the sample payload is not a JSON object", at: value.position)
                payload = nil
            }
        }
        if format.isReceiver {
            guard let payload, let messages = fields["messages"]?.strings(diagnostics) else { return nil }
            return ProfileSample(payload: payload, messages: messages)
        }
        var events: [EventKind] = []
        var eventsComplete = true
        for item in fields.sequence("events", diagnostics) {
            if let kind = eventKind(item, diagnostics) { events.append(kind) } else { eventsComplete = false }
        }
        guard let payload, eventsComplete else { return nil }
        return ProfileSample(payload: payload, events: events)
    }
}
