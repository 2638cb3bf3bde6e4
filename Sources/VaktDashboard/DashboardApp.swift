import Foundation
import Logging
import VaktCore
import VaktDevices

/// The dashboard as a program: a broker connection feeding the model, the terminal drawing it.
///
/// It reads the hub's retained `alarms/+` and `hub/state`, sends commands on
/// `commands/<staff>` and reads the answers on `replies/<staff>`, as any dashboard must:
/// several can run at once and stay in step through the broker.
public final class DashboardApp: @unchecked Sendable {
    public struct Options: Sendable {
        public var address: BrokerAddress
        public var username: String?
        public var password: String?
        public var alerts: Bool
        /// The CA file for a TLS broker.
        public var caFile: String?

        public init(
            address: BrokerAddress, username: String? = nil, password: String? = nil, alerts: Bool = true,
            caFile: String? = nil
        ) {
            self.address = address
            self.caFile = caFile
            self.username = username
            self.password = password
            self.alerts = alerts
        }
    }

    private enum Incoming {
        case alarm(id: String, payload: [UInt8])
        case hubState([UInt8])
        case reply([UInt8])
        case channel(id: String, payload: [UInt8])
        case device(id: String, payload: [UInt8])
        case silences([UInt8])
    }

    private let site: Site
    private let staff: Staff
    private let options: Options
    private let client: MQTTClient
    private let lock = NSCondition()
    private var incoming: [Incoming] = []
    private var model: DashboardModel
    private var connecting = false

    public init(site: Site, staff: Staff, options: Options) throws {
        self.site = site
        self.staff = staff
        self.options = options
        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        model = DashboardModel(
            site: site, staff: staff, requestPrefix: "dash-\(staff.id)-\(tag)", alertsEnabled: options.alerts)
        // Nothing may write to the terminal but the dashboard: the client logs nowhere.
        client = try MQTTClient(
            options: MQTTClientOptions(
                clientID: "vakt-dash-\(staff.id)-\(tag)", cleanSession: true, username: options.username,
                password: options.password, tlsCAFile: options.caFile),
            logger: Logger(label: "vakt.dashboard") { _ in SwiftLogNoOpLogHandler() })
        let prefix = site.topicPrefix
        client.onConnect = { [weak self] _ in
            guard let self else { return }
            // hub/state after alarms/+: the broker sends retained messages subscription by
            // subscription, so once the hub's state is here, so are the alarms.
            for topic in [
                "\(prefix)/alarms/+", "\(prefix)/channels/+", "\(prefix)/devices/+", "\(prefix)/silences",
                "\(prefix)/hub/state",
                "\(prefix)/replies/\(staff.id)",
            ] {
                // Fails only when the connection just dropped; the next connection subscribes again.
                _ = try? self.client.subscribe(topic, qos: 1)
            }
        }
        client.onMessage = { [weak self] message in
            guard let self else { return }
            let event: Incoming?
            if message.topic.hasPrefix("\(prefix)/alarms/") {
                event = .alarm(id: String(message.topic.dropFirst("\(prefix)/alarms/".count)), payload: message.payload)
            } else if message.topic.hasPrefix("\(prefix)/devices/") {
                event = .device(
                    id: String(message.topic.dropFirst("\(prefix)/devices/".count)), payload: message.payload)
            } else if message.topic.hasPrefix("\(prefix)/channels/") {
                event = .channel(
                    id: String(message.topic.dropFirst("\(prefix)/channels/".count)), payload: message.payload)
            } else if message.topic == "\(prefix)/silences" {
                event = .silences(message.payload)
            } else if message.topic == "\(prefix)/hub/state" {
                event = .hubState(message.payload)
            } else if message.topic == "\(prefix)/replies/\(staff.id)" {
                event = .reply(message.payload)
            } else {
                event = nil
            }
            if let event {
                self.lock.withLock {
                    self.incoming.append(event)
                    self.lock.broadcast()
                }
            }
        }
    }

    /// Runs the dashboard in the terminal until the user quits.
    public func run() throws {
        let terminal = try Terminal()
        defer {
            terminal.close()
            client.disconnect()
        }
        var lastAttempt = Date.distantPast
        while true {
            let now = Date()
            if !connecting, now.timeIntervalSince(lastAttempt) >= 3 {
                lastAttempt = now
                connect()
            }
            if drain() { terminal.alert() }
            model.brokerConnected = client.isConnected
            let size = terminal.size
            terminal.draw(DashboardLayout.render(model, width: size.width, height: size.height, now: Date()))
            guard let key = terminal.readKey() else { continue }
            for effect in model.handle(key) {
                if effect == .quit { return }
                perform(effect)
            }
        }
    }

    /// Without a terminal: connects, waits for the hub's retained state, prints one frame as
    /// plain text and returns it. Throws when the broker cannot be reached within `timeout`.
    public func printOnce(width: Int = 100, timeout: TimeInterval = 5) throws -> [String] {
        try client.connect(to: options.address)
        defer { client.disconnect() }
        guard client.waitUntilConnected(timeout: .seconds(timeout)) else {
            throw MosquittoError.noConnection
        }
        // The broker sends retained messages per subscription, in order: once the hub's state
        // is here, so are the alarms. A hub that never ran has no state; stop waiting then.
        let deadline = Date().addingTimeInterval(2)
        lock.withLock {
            while !incoming.contains(where: { if case .hubState = $0 { true } else { false } }) {
                if !lock.wait(until: deadline) { break }
            }
        }
        _ = drain()
        model.brokerConnected = true
        let height = max(24, model.alarms.count + 16)
        return DashboardLayout.render(model, width: width, height: height, now: Date()).text
            .map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
    }

    private func connect() {
        do {
            try client.connect(to: options.address)
            connecting = true  // from here libmosquitto reconnects by itself
        } catch {
            model.brokerConnected = false
        }
    }

    /// Applies what arrived from the broker; returns whether to alert.
    private func drain() -> Bool {
        let events = lock.withLock {
            defer { incoming.removeAll() }
            return incoming
        }
        var alert = false
        for event in events {
            switch event {
            case .alarm(let id, let payload):
                alert = model.receiveAlarm(id: id, payload: payload).contains(.alert) || alert
            case .hubState(let payload): model.receiveHubState(payload)
            case .reply(let payload): model.receiveReply(payload)
            case .channel(let id, let payload): model.receiveChannel(id: id, payload: payload)
            case .device(let id, let payload): model.receiveDevice(id: id, payload: payload)
            case .silences(let payload): model.receiveSilences(payload)
            }
        }
        return alert
    }

    private func perform(_ effect: DashboardEffect) {
        let topic = "\(site.topicPrefix)/commands/\(staff.id)"
        do {
            switch effect {
            case .send(let command):
                try client.publish(topic, payload: CommandPayload.encode(command), qos: 1, retain: false)
            case .requestTimeline(let id, let alarm):
                try client.publish(topic, payload: TimelineQuery(id: id, alarm: alarm).encode(), qos: 1, retain: false)
            case .startTest(let request):
                try client.publish(topic, payload: request.encode(), qos: 1, retain: false)
            case .alert, .quit:
                break
            }
        } catch {
            model.sendFailed(effect, reason: "\(error)")
        }
    }
}
