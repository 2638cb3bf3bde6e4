import VaktCore

extension PayloadDecoder {
    /// What one field yielded: an event kind, with its number and raw text.
    struct Reading: Equatable {
        var kind: EventKind
        var value: Double?
        var raw: String
    }

    /// Reads one present field; `nil` when it yields nothing (null, ignored, no event).
    static func read(_ value: JSONValue, with mapping: FieldMapping) -> Result<Reading?, DecodeError> {
        if case .null = value { return .success(nil) }
        switch mapping.type {
        case .bool:
            let text: String
            switch value {
            case .bool(let flag): text = flag ? "true" : "false"
            case .string(let string) where string == "true" || string == "false": text = string
            default: return .failure(wrongType(mapping, "bool", value))
            }
            return .success(lookUp(text, in: mapping))
        case .string:
            guard case .string(let text) = value else { return .failure(wrongType(mapping, "string", value)) }
            return .success(lookUp(text, in: mapping))
        case .number:
            let text: String
            switch value {
            case .number(let number): text = number
            case .string(let string): text = string.trimmingASCIIWhitespace()
            default: return .failure(wrongType(mapping, "number", value))
            }
            guard let number = parseNumber(text) else {
                return .failure(wrongType(mapping, "number", value))
            }
            guard let kind = mapping.event else { return .success(nil) }
            return .success(Reading(kind: kind, value: number, raw: text))
        }
    }

    /// The event a `bool` or `string` value maps to; unmapped values are `state.unknown`.
    private static func lookUp(_ text: String, in mapping: FieldMapping) -> Reading? {
        if let kind = mapping.values[text] { return Reading(kind: kind, raw: text) }
        if mapping.ignore.contains(text) { return nil }
        return Reading(kind: .unknownState, raw: text)
    }

    /// A finite number in JSON's number grammar (so `0x10`, `nan` and `inf` are not numbers).
    private static func parseNumber(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, JSONParser.numberEnd(bytes, from: 0) == bytes.count,
            let number = Double(text), number.isFinite
        else { return nil }
        return number
    }

    private static func wrongType(_ mapping: FieldMapping, _ expected: String, _ value: JSONValue) -> DecodeError {
        let got: String =
            switch value {
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            default: "a \(value.typeName)"
            }
        return .wrongType(field: mapping.field, expected: "a \(expected)", got: got)
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
