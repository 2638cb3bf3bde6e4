import Foundation

/// The JSON Vakt publishes over MQTT: one object, keys sorted, no whitespace.
public enum WireJSON {
    /// `object` as UTF-8 bytes. Values are strings, numbers, booleans, `NSNull`, arrays and
    /// dictionaries of those, which cannot fail to encode; `{}` if one ever did.
    public static func bytes(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }

    /// `bytes` parsed as a JSON object, or nil.
    public static func object(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }
}
