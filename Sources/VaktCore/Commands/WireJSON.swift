import Foundation

/// The JSON Vakt publishes over MQTT: one object, keys sorted, no whitespace.
public enum WireJSON {
    /// `object` as UTF-8 bytes. Values are strings, numbers, booleans, `NSNull`, arrays and
    /// dictionaries of those, which cannot fail to encode; `{}` if one ever did.
    ///
    /// Objects of strings, integers, booleans, `NSNull` and arrays and objects of those are
    /// written by ``CanonicalJSON`` (keys in byte order); anything else (a `Double`, an
    /// `NSNumber` read from JSON) by JSONSerialization, whose sorted keys compare through ICU
    /// collation on Linux (slow, and an order that differs from byte order for keys with
    /// capitals or runs of digits; Vakt's own keys are lowercase snake_case).
    public static func bytes(_ object: [String: Any]) -> [UInt8] {
        if let value = canonical(object) { return CanonicalJSON.bytes(value) }
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }

    /// `value` as a canonical JSON value when every part of it is of an exact type the
    /// canonical writer handles the same way JSONSerialization would; otherwise `nil`.
    static func canonical(_ value: Any) -> CanonicalJSON.Value? {
        // Exact dynamic types: an NSNumber from a parsed document answers `as? Bool` and
        // `as? Int` alike, and is left to JSONSerialization.
        switch ObjectIdentifier(type(of: value)) {
        case ObjectIdentifier(String.self): return .string(value as! String)
        case ObjectIdentifier(Int.self): return .integer(value as! Int)
        case ObjectIdentifier(Bool.self): return .bool(value as! Bool)
        case ObjectIdentifier(NSNull.self): return .null
        default: break
        }
        if let items = value as? [Any] {
            var converted: [CanonicalJSON.Value] = []
            for item in items {
                guard let value = canonical(item) else { return nil }
                converted.append(value)
            }
            return .array(converted)
        }
        if let object = value as? [String: Any] {
            var members: [(String, CanonicalJSON.Value)] = []
            for (key, item) in object {
                guard let value = canonical(item) else { return nil }
                members.append((key, value))
            }
            return .object(members)
        }
        return nil
    }

    /// `bytes` parsed as a JSON object, or nil.
    public static func object(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }
}
