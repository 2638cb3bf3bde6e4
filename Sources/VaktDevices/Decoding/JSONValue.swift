/// A parsed JSON value, keeping numbers as the text the device sent.
///
/// Numbers stay text so an event's `raw` is exactly what arrived (`100.00`, not `100.0`).
/// Objects keep their keys in order; a key that appears twice keeps its last value.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    /// The number as written; it matched JSON's number grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type's name, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
