import Foundation
import VaktCore

/// Reads one device profile file, reporting every problem in it.
struct ProfileReader {
    let diagnostics: Diagnostics

    /// `{vendor, model, description, format, fields, samples}`
    func read(_ root: YAMLValue, id: String) -> DeviceProfile? {
        guard
            let fields = root.fields(
                allowed: ["vendor", "model", "description", "format", "fields", "samples"],
                required: ["vendor", "model", "description", "fields"], diagnostics)
        else { return nil }
        let vendor = fields.string("vendor", diagnostics)
        let model = fields.string("model", diagnostics)
        let description = fields.string("description", diagnostics)
        let format = fields["format"].map { $0.choice(from: [PayloadFormat.json], diagnostics) } ?? .json
        var mappings: [FieldMapping] = []
        if let value = fields["fields"], let items = value.sequence(diagnostics) {
            if items.isEmpty {
                diagnostics.report("\(value.path): a profile needs at least one field", at: value.position)
            }
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
        }
        let samples = fields.sequence("samples", diagnostics).compactMap(readSample)
        guard let vendor, let model, let description, let format else { return nil }
        return DeviceProfile(
            id: id, vendor: vendor, model: model, description: description, format: format, fields: mappings,
            samples: samples)
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
        let event = fields["event"].flatMap { eventKind($0, diagnostics) }
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
            if let kind = eventKind(value.child(text, valueNode), diagnostics) { values[text] = kind }
        }
        return values
    }

    /// `{payload, events}`: the payload must be a JSON object, the events known kinds.
    func readSample(_ value: YAMLValue) -> ProfileSample? {
        guard let fields = value.fields(allowed: ["payload", "events"], required: ["payload", "events"], diagnostics)
        else { return nil }
        var payload = fields.string("payload", diagnostics)
        if let text = payload, let value = fields["payload"] {
            let object = try? JSONSerialization.jsonObject(with: Data(text.utf8))
            if !(object is [String: Any]) {
                diagnostics.report("\(value.path): the sample payload is not a JSON object", at: value.position)
                payload = nil
            }
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
