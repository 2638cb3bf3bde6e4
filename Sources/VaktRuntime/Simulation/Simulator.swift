import Foundation
import Logging
import VaktConfig
import VaktCore
import VaktDevices

/// Plays a scenario against a running hub the way real devices would: real-format payloads on
/// the broker, and real receiver and dispenser frames on pseudo-terminals standing in for the
/// serial ports named in the configuration.
///
/// Each serial port's path gets a symlink to a fresh pseudo-terminal (as udev links
/// `/dev/serial/by-id/...` to a USB adapter), so the hub opens it like the real thing.
/// Unplugging a receiver closes its pseudo-terminal and removes the link.
public final class Simulator {
    let site: Site
    let logger: Logger
    let say: (String) -> Void
    private let client: MQTTClient?
    private var ports: [String: PseudoTerminal] = [:]

    /// How long to wait for a frame's acknowledgement before sending it again.
    static let acknowledgementTimeout = 3.0
    static let attempts = 5

    public init(site: Site, address: BrokerAddress?, logger: Logger, say: @escaping (String) -> Void) throws {
        self.site = site
        self.logger = logger
        self.say = say
        if let address {
            let client = try MQTTClient(
                options: MQTTClientOptions(
                    clientID: "vakt-simulate-\(getpid())", cleanSession: true, tlsCAFile: site.broker.caFile),
                logger: logger)
            try client.connect(to: address)
            guard client.waitUntilConnected(timeout: .seconds(10)) else {
                throw StartupError("cannot reach the broker at \(address.description)", exitCode: 3)
            }
            self.client = client
        } else {
            client = nil
        }
    }

    /// The serial ports the site uses, by the id of their receiver or device.
    var serialPorts: [String: String] {
        var ports: [String: String] = [:]
        for bridge in site.bridges {
            if case .receiver(_, let port) = bridge.kind { ports[bridge.id] = port }
        }
        for device in site.devices {
            if case .serial(let port) = device.link { ports[device.id] = port }
        }
        return ports
    }

    /// Stands a pseudo-terminal in for every serial port of the site.
    public func openPorts() throws {
        for (owner, path) in serialPorts.sorted(by: { $0.key < $1.key }) where ports[owner] == nil {
            try plugIn(owner, at: path)
        }
    }

    private func plugIn(_ owner: String, at path: String) throws {
        // Only a link left by an earlier simulation may be replaced, never a real port.
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            guard target.hasPrefix("/dev/pts/") else {
                throw StartupError(
                    "\(owner): \(path) links to \(target), a real serial device; vakt simulate does not replace it")
            }
        } else if FileManager.default.fileExists(atPath: path) {
            throw StartupError(
                "\(owner): \(path) exists and is not a simulated port; vakt simulate does not replace it")
        }
        let terminal = try PseudoTerminal()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try terminal.link(at: path)
        ports[owner] = terminal
        say("\(owner): serial port \(path) -> \(terminal.devicePath)")
    }

    public func run(_ scenario: Scenario) throws {
        for step in scenario.steps { try perform(step) }
    }

    public func perform(_ step: Scenario.Step) throws {
        switch step {
        case .publish(let device, let topic, let payload, let retain):
            try publish(topic, payload, retain: retain)
            say("\(device): published \(payload)")
        case .availability(let device, let topic, let online):
            try publish("\(topic)/availability", #"{"state":"\#(online ? "online" : "offline")"}"#, retain: true)
            say("\(device): availability \(online ? "online" : "offline")")
        case .bridge(let id, let online):
            try setBridge(id, online: online)
        case .contactID(let device, let receiver, let text):
            guard let message = ContactIDDecoder.message(from: text) else {
                throw StartupError("\(device): '\(text)' is not a Contact ID message (AAAA 18 QXYZ GG CCC)")
            }
            try send(.contactID(message), owner: receiver, note: "\(device): Contact ID \(text)")
        case .fields(let device, let fields):
            let text = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            try send(.fields(fields), owner: device, note: "\(device): \(text)")
        case .line(let device, let text):
            try write(Array((text + "\r\n").utf8), owner: device, note: "\(device): \(text)")
        case .garbage(let owner, let bytes):
            try write(bytes, owner: owner, note: "\(owner): \(bytes.count) bytes of garbage", expectAck: false)
        case .wait(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        }
    }

    /// Keeps the ports open, sending each Sur-Gard receiver's heartbeat every 30 s, until
    /// `stop` says so.
    public func hold(until stop: () -> Bool) {
        var nextHeartbeat = Date()
        while !stop() {
            if Date() >= nextHeartbeat {
                for bridge in site.bridges where format(of: bridge.id) == .surgardMLR2 && ports[bridge.id] != nil {
                    try? write(
                        LineEncoder.encode(.heartbeat, format: .surgardMLR2), owner: bridge.id, note: nil,
                        expectAck: true)
                }
                nextHeartbeat = Date().addingTimeInterval(30)
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    public func close() {
        for terminal in ports.values { terminal.close() }
        ports = [:]
        client?.disconnect()
    }

    private func publish(_ topic: String, _ payload: String, retain: Bool) throws {
        guard let client else { throw StartupError("this step needs the broker; the simulator has none") }
        try client.publish(topic, payload: Array(payload.utf8), qos: 1, retain: retain)
    }

    private func setBridge(_ id: String, online: Bool) throws {
        guard let bridge = site.bridge(id) else { return }
        switch bridge.kind {
        case .zigbee2mqtt(let base):
            try publish("\(base)/bridge/state", #"{"state":"\#(online ? "online" : "offline")"}"#, retain: true)
            say("\(id): bridge \(online ? "online" : "offline")")
        case .receiver(_, let port):
            if online {
                if ports[id] == nil { try plugIn(id, at: port) }
                say("\(id): plugged back in")
            } else {
                ports.removeValue(forKey: id)?.close()
                say("\(id): unplugged")
            }
        }
    }

    private func format(of owner: String) -> LineFormat? {
        let profileID: String?
        if let bridge = site.bridge(owner), case .receiver(let profile, _) = bridge.kind {
            profileID = profile
        } else {
            profileID = site.device(owner)?.profile
        }
        return profileID.flatMap { site.profiles[$0] }.flatMap { LineFormat(rawValue: $0.format.rawValue) }
    }

    private func send(_ frame: SerialFrame, owner: String, note: String) throws {
        guard let format = format(of: owner) else { throw StartupError("\(owner) has no serial line format") }
        try write(LineEncoder.encode(frame, format: format), owner: owner, note: note)
    }

    /// Writes a frame; where the format is acknowledged, waits for it and resends as a real
    /// receiver does, so a frame written before the hub opened the port is not lost.
    private func write(_ bytes: [UInt8], owner: String, note: String?, expectAck: Bool = true) throws {
        guard let terminal = ports[owner] else { throw StartupError("\(owner): its serial port is unplugged") }
        let acknowledged = expectAck && [.surgardMLR2, .vaktLine].contains(format(of: owner))
        guard acknowledged else {
            try terminal.write(bytes)
            if let note { say(note) }
            return
        }
        for attempt in 1...Self.attempts {
            try terminal.write(bytes)
            let reply = terminal.read(timeout: Self.acknowledgementTimeout)
            if reply.contains(0x06) || String(decoding: reply, as: UTF8.self).contains("$VAKT,ack") {
                if let note { say("\(note) (acknowledged)") }
                return
            }
            if String(decoding: reply, as: UTF8.self).contains("$VAKT,nak") {
                if let note {
                    say(
                        "\(note) (refused: \(String(decoding: reply, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))"
                    )
                }
                return
            }
            logger.debug("\(owner): no acknowledgement (attempt \(attempt)); sending again")
        }
        if let note { say("\(note) (not acknowledged after \(Self.attempts) attempts: is the hub running?)") }
    }
}
