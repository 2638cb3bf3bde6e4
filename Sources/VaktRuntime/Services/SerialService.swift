import Foundation
import Logging
import ServiceLifecycle
import VaktCore
import VaktDevices

/// Reads one serial port: an alarm receiver's computer output, or a dispenser's line.
///
/// The port is read on its own thread (`SerialLink`); each chunk is framed by the profile's
/// line format, each frame committed by the hub, and only a committed frame is acknowledged,
/// so a receiver resends what the hub could not store. When the device node goes away (a USB
/// adapter unplugged) the owner is reported offline and the port reopened once it is back.
public final class SerialService: Service, @unchecked Sendable {
    let hub: Hub
    let owner: SerialOwner
    let port: String
    let settings: SerialSettings
    let format: LineFormat
    /// Touched only on the link's thread.
    private var decoder: LineDecoder
    /// Frames recorded lately, by their bytes, and when: touched only on the link's thread.
    private var recent: [[UInt8]: Date] = [:]

    /// A frame that comes again within this many seconds is a resend (its acknowledgement was
    /// lost or late: Sur-Gard receivers retry after 4 s), not a new report.
    static let resendWindow = 30.0

    public init(hub: Hub, owner: SerialOwner, port: String, settings: SerialSettings, format: LineFormat) {
        self.hub = hub
        self.owner = owner
        self.port = port
        self.settings = settings
        self.format = format
        self.decoder = LineDecoder(format: format)
    }

    /// One service per serial port the site uses: receivers, and devices with a `port`.
    public static func services(for hub: Hub) throws -> [SerialService] {
        let site = hub.site
        var services: [SerialService] = []
        func make(_ owner: SerialOwner, port: String, profileID: String) throws {
            guard let profile = site.profiles[profileID], let format = LineFormat(rawValue: profile.format.rawValue)
            else {
                throw StartupError("\(owner.id): profile \(profileID) is not a serial line format")
            }
            services.append(
                SerialService(
                    hub: hub, owner: owner, port: port, settings: profile.serial ?? SerialSettings(), format: format))
        }
        for bridge in site.bridges {
            if case .receiver(let profile, let port) = bridge.kind {
                try make(.receiver(bridge), port: port, profileID: profile)
            }
        }
        for device in site.devices {
            if case .serial(let port) = device.link { try make(.device(device), port: port, profileID: device.profile) }
        }
        return services
    }

    public func run() async throws {
        let link = SerialLink(
            path: port, settings: settings,
            onState: { [self] state in
                switch state {
                case .connected:
                    // A frame cut short by an unplug must not be glued to what comes next.
                    decoder = LineDecoder(format: format)
                    hub.noteLink(owner, port: port, up: true, reason: "serial port \(port) open (\(settings))")
                case .disconnected(let reason):
                    hub.noteLink(owner, port: port, up: false, reason: reason)
                }
            },
            onBytes: { [self] bytes in read(bytes) })
        link.start()
        try? await gracefulShutdown()
        // Stopping waits for the link's thread (a write in progress, a commit): off the pool.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                link.stop()
                done.resume()
            }
        }
    }

    /// Frames the bytes, has each frame committed, and returns the acknowledgements to write.
    ///
    /// A frame identical to one recorded within `resendWindow` is acknowledged again without
    /// being recorded twice: the sender did not hear the first acknowledgement.
    private func read(_ bytes: [UInt8]) -> [UInt8]? {
        var reply: [UInt8] = []
        let now = hub.clock.now()
        // A negative age means the wall clock was stepped back: such an entry says nothing
        // about a resend, and keeping it could swallow a real second press.
        recent = recent.filter {
            let age = now.timeIntervalSince($0.value)
            return age >= 0 && age < Self.resendWindow
        }
        for decoded in decoder.feed(bytes) {
            if case .frame(let frame, let raw) = decoded, frame != .heartbeat {
                if recent[raw] != nil {
                    hub.logger.info(
                        "\(owner.id): the same frame again within \(Int(Self.resendWindow)) s; a resend, acknowledged")
                } else {
                    guard hub.ingest(decoded, from: owner, port: port) else { continue }
                    recent[raw] = now
                }
            } else {
                guard hub.ingest(decoded, from: owner, port: port) else { continue }
            }
            if let ack = format.acknowledgement(for: decoded) { reply += ack }
        }
        return reply.isEmpty ? nil : reply
    }
}
