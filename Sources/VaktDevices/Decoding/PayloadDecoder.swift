import VaktCore

/// Turns one device payload into events, as the device's profile says.
///
/// The payload must be a JSON object (zigbee2mqtt's format). For each of the profile's
/// fields, in the profile's order:
/// - a field that is missing or `null` yields nothing;
/// - a `bool` field accepts `true`/`false`, and the strings `"true"`/`"false"`;
/// - a `string` field accepts strings; a value in `ignore` yields nothing;
/// - a `bool` or `string` value that is neither mapped nor ignored yields `state.unknown`
///   with the value as `raw`, so an unexpected state is recorded rather than dropped;
/// - a `number` field accepts finite numbers, and strings holding a JSON number
///   (`"battery":"100.00"`, as some firmware sends), and yields the field's `event` with
///   the number as `value`.
/// Fields the profile does not map (`linkquality`, `voltage`, ...) are ignored. Every event's
/// `raw` is the value as text: strings without quotes, numbers as written. The profile's
/// `details` fields (a dose id, a scheduled time) are copied into every event's `detail`.
///
/// A mapped field with a type its mapping cannot read (an object where a string belongs) is
/// dropped when other fields of the same payload yield events: one firmware quirk must not
/// hide a fall alarm sent beside it. Only when nothing could be decoded is the payload
/// rejected with `DecodeError.wrongType`, naming the first such field.
public struct PayloadDecoder: Sendable {
    /// Payloads longer than this are rejected before parsing.
    public static let maximumPayloadBytes = 65_536

    public let profile: DeviceProfile

    public init(profile: DeviceProfile) {
        self.profile = profile
    }

    /// Decodes one payload from `device` into events, in the profile's field order.
    ///
    /// - Parameters:
    ///   - payload: The message body as received.
    ///   - device: The configured device id, copied into each event.
    /// - Returns: The events (possibly none, when the payload holds no mapped field), or why
    ///   the payload was rejected.
    public func decode(_ payload: [UInt8], device: String) -> Result<[DeviceEvent], DecodeError> {
        guard payload.count <= Self.maximumPayloadBytes else {
            return .failure(.tooLarge(bytes: payload.count))
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(payload)
        } catch {
            return .failure(.notJSON(error.detail))
        }
        guard case .object(let object) = value else {
            return .failure(.notAnObject(got: value.typeName))
        }
        return decode(object: object, device: device)
    }

    /// Decodes a `vakt-line` frame's key=value pairs: the same mapping as over MQTT, every
    /// value a string (so `"true"` and `"80"` read as a bool and a number).
    public func decode(fields: [String: String], device: String) -> Result<[DeviceEvent], DecodeError> {
        decode(object: fields.mapValues { JSONValue.string($0) }, device: device)
    }

    /// Decodes the fields of one message, already parsed.
    func decode(object: [String: JSONValue], device: String) -> Result<[DeviceEvent], DecodeError> {
        var detail: [String: String] = [:]
        for name in profile.details {
            switch object[name] {
            case .string(let text): detail[name] = text
            case .number(let text): detail[name] = text
            case .bool(let flag): detail[name] = flag ? "true" : "false"
            default: continue
            }
        }
        var events: [DeviceEvent] = []
        var firstWrongType: DecodeError?
        for mapping in profile.fields {
            guard let fieldValue = object[mapping.field] else { continue }
            switch Self.read(fieldValue, with: mapping) {
            case .success(let reading):
                if let reading {
                    events.append(
                        DeviceEvent(
                            kind: reading.kind, device: device, value: reading.value, raw: reading.raw, detail: detail))
                }
            case .failure(let error):
                if firstWrongType == nil { firstWrongType = error }
            }
        }
        if events.isEmpty, let firstWrongType {
            return .failure(firstWrongType)
        }
        return .success(events)
    }

    /// Decodes a payload given as text (recorded samples, tests).
    public func decode(_ payload: String, device: String) -> Result<[DeviceEvent], DecodeError> {
        decode(Array(payload.utf8), device: device)
    }
}
