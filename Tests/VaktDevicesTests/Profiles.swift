import VaktCore

/// Device profiles written out in code, as the catalogue's YAML files describe them.
enum Profiles {
    /// Tuya MIR-HE200-TY radar: `fall_down_status` none / maybe_fall / fall.
    static let tuyaRadar = DeviceProfile(
        id: "zigbee2mqtt/tuya-mir-he200-ty", vendor: "Tuya", model: "MIR-HE200-TY",
        description: "Human presence and fall radar",
        fields: [
            FieldMapping(
                field: "fall_down_status", type: .string,
                values: ["none": .fallCleared, "maybe_fall": .fallSuspected, "fall": .fallDetected]),
            FieldMapping(field: "battery", type: .number, event: .batteryLevel),
        ])

    /// Heiman fall sensor: `fall_status` normal / fall_warning / fall_alarm / unknown.
    static let heimanFall = DeviceProfile(
        id: "zigbee2mqtt/heiman-fall", vendor: "Heiman", model: "HS-FALL",
        description: "Fall detection radar",
        fields: [
            FieldMapping(
                field: "fall_status", type: .string,
                values: ["normal": .fallCleared, "fall_warning": .fallSuspected, "fall_alarm": .fallDetected],
                ignore: ["unknown"]),
            FieldMapping(field: "tamper", type: .bool, values: ["true": .tamper], ignore: ["false"]),
        ])

    /// Aqara MCCGQ11LM door contact: `contact` true when closed.
    static let aqaraContact = DeviceProfile(
        id: "zigbee2mqtt/aqara-mccgq11lm", vendor: "Aqara", model: "MCCGQ11LM",
        description: "Door and window contact sensor",
        fields: [
            FieldMapping(field: "contact", type: .bool, values: ["true": .doorClosed, "false": .doorOpened]),
            FieldMapping(field: "battery", type: .number, event: .batteryLevel),
            FieldMapping(field: "battery_low", type: .bool, values: ["true": .batteryLow], ignore: ["false"]),
        ])

    /// Tuya TS0215A SOS button: `action` emergency, empty after the press.
    static let sosButton = DeviceProfile(
        id: "zigbee2mqtt/tuya-ts0215a", vendor: "Tuya", model: "TS0215A",
        description: "SOS emergency button",
        fields: [
            FieldMapping(field: "action", type: .string, values: ["emergency": .sos], ignore: [""]),
            FieldMapping(field: "battery", type: .number, event: .batteryLevel),
        ])

    static let all = [tuyaRadar, heimanFall, aqaraContact, sosButton]
}
