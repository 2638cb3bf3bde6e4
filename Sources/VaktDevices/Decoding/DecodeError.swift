/// Why a payload could not be decoded into events.
///
/// A struct over a private enum, so reasons can be added without breaking callers. Compare
/// with the static members (`error == .notAnObject`, `error.code == .notJSON`), or read
/// `description`, which the hub records as the rejection reason. Descriptions quote field
/// names and types but never the payload's values beyond what is needed to say what was wrong.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Reason: Sendable, Equatable {
        case tooLarge(bytes: Int)
        case notJSON(detail: String)
        case notAnObject(got: String)
        case wrongType(field: String, expected: String, got: String)
    }

    /// The kind of failure, without its details.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The payload is longer than `PayloadDecoder.maximumPayloadBytes`.
        public static let tooLarge = Code(rawValue: "tooLarge")
        /// The payload is not one well-formed JSON text in UTF-8.
        public static let notJSON = Code(rawValue: "notJSON")
        /// The payload is JSON, but not an object.
        public static let notAnObject = Code(rawValue: "notAnObject")
        /// A mapped field had a type its mapping cannot read, and no other field gave an event.
        public static let wrongType = Code(rawValue: "wrongType")
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    public static func tooLarge(bytes: Int) -> DecodeError { DecodeError(.tooLarge(bytes: bytes)) }
    public static func notJSON(_ detail: String) -> DecodeError { DecodeError(.notJSON(detail: detail)) }
    public static func notAnObject(got type: String) -> DecodeError { DecodeError(.notAnObject(got: type)) }
    public static func wrongType(field: String, expected: String, got: String) -> DecodeError {
        DecodeError(.wrongType(field: field, expected: expected, got: got))
    }

    public var code: Code {
        switch reason {
        case .tooLarge: .tooLarge
        case .notJSON: .notJSON
        case .notAnObject: .notAnObject
        case .wrongType: .wrongType
        }
    }

    /// The payload field the error is about, if any.
    public var field: String? {
        if case .wrongType(let field, _, _) = reason { return field }
        return nil
    }

    public var description: String {
        switch reason {
        case .tooLarge(let bytes):
            "payload of \(bytes) bytes is larger than \(PayloadDecoder.maximumPayloadBytes)"
        case .notJSON(let detail):
            "payload is not JSON: \(detail)"
        case .notAnObject(let got):
            "payload is a JSON \(got), not an object"
        case .wrongType(let field, let expected, let got):
            "field \(field) should be \(expected) but is \(got)"
        }
    }
}
