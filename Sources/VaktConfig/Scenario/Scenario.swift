import VaktCore

/// A scripted run of device messages for `vakt simulate`: the demo's story and a test tool.
///
/// Scenarios are files (`Config/<site>/scenarios/*.yaml`), checked against the site when
/// loaded, so every step names a configured device and a payload in its real format.
public struct Scenario: Sendable, Equatable {
    public var description: String
    public var steps: [Step]

    public init(description: String, steps: [Step]) {
        self.description = description
        self.steps = steps
    }

    public enum Step: Sendable, Equatable {
        /// Publish a payload on an MQTT device's topic.
        case publish(device: String, topic: String, payload: String, retain: Bool)
        /// Send a Contact ID message (`AAAA 18 QXYZ GG CCC`) through a receiver's port, in
        /// the receiver's own output format.
        case contactID(device: String, receiver: String, message: String)
        /// Send a `vakt-line` frame with these fields on a serial device's port.
        case fields(device: String, fields: [String: String])
        /// Send a line verbatim (a recorded frame, checksum and all) on a serial device's port.
        case line(device: String, text: String)
        /// Publish zigbee2mqtt availability for a device (retained, 2.x format).
        case availability(device: String, topic: String, online: Bool)
        /// A zigbee2mqtt bridge's state goes online or offline; a receiver is unplugged or
        /// plugged back in.
        case bridge(id: String, online: Bool)
        /// Write bytes that are no frame at all to a serial port (a receiver's or a device's).
        case garbage(owner: String, bytes: [UInt8])
        /// Pause.
        case wait(seconds: Double)
    }
}
