import Foundation
import VaktCore
import VaktDevices
import VaktStore

/// What is at the other end of a serial port: an alarm receiver, or one device.
public enum SerialOwner: Sendable {
    case receiver(Bridge)
    case device(Device)

    /// The id supervision and rejection counts use.
    public var id: String {
        switch self {
        case .receiver(let bridge): bridge.id
        case .device(let device): device.id
        }
    }
}

extension Hub {
    /// Takes one frame read from a serial port: records it, decodes it, runs the engine and
    /// commits, before returning.
    ///
    /// - Returns: Whether the frame is on record. Only then may the port acknowledge it, so a
    ///   receiver or dispenser that hears no acknowledgement sends the frame again.
    func ingest(_ decoded: DecodedFrame, from owner: SerialOwner, port: String) -> Bool {
        withLock {
            do {
                try route(decoded, from: owner, port: port)
                return true
            } catch {
                logger.critical(
                    "could not record a frame from \(port): \(error); leaving it unacknowledged so it is sent again")
                return false
            }
        }
    }

    /// The port opened or went away (a USB adapter unplugged): the owner is online or offline.
    func noteLink(_ owner: SerialOwner, port: String, up: Bool, reason: String) {
        if up {
            logger.notice("serial port \(port) open for \(owner.id)")
        } else {
            logger.error("serial port \(port) for \(owner.id) is unavailable: \(reason)")
        }
        do {
            try handle(
                [.availability(source: owner.id, online: up, reason: reason)],
                event: serialRecord(
                    Array(reason.utf8), port: port, device: owner.id, kind: up ? "link.up" : "link.down"))
        } catch {
            logger.critical("could not record that serial port \(port) went \(up ? "up" : "down"): \(error)")
        }
    }

    private func route(_ decoded: DecodedFrame, from owner: SerialOwner, port: String) throws {
        switch decoded {
        case .rejected(let reason, let raw):
            try rejectFrame(raw, from: owner.id, port: port, reason: reason)
        case .frame(let frame, let raw):
            switch (frame, owner) {
            case (.heartbeat, .receiver(let receiver)):
                try handle([.report(DeviceReport(source: receiver.id, events: []))])
            case (.contactID(let message), .receiver(let receiver)):
                try routeContactID(message, raw: raw, receiver: receiver, port: port)
            case (.fields(let fields), .device(let device)):
                try routeFields(fields, raw: raw, device: device, port: port)
            default:
                try rejectFrame(raw, from: owner.id, port: port, reason: "a frame this port's profile does not carry")
            }
        }
    }

    private func routeContactID(_ message: ContactIDMessage, raw: [UInt8], receiver: Bridge, port: String) throws {
        let heard = Input.report(DeviceReport(source: receiver.id, events: []))
        guard let device = site.device(receiver: receiver.id, account: message.account, zone: message.zone) else {
            try rejectFrame(
                raw, from: receiver.id, port: port,
                reason: "no device is configured for account \(message.account) zone \(message.zone) on \(receiver.id)",
                also: [heard])
            return
        }
        guard let profile = site.profiles[device.profile] else {
            try rejectFrame(raw, from: device.id, port: port, reason: "device profile \(device.profile) is not loaded")
            return
        }
        let events = ContactIDDecoder(profile: profile).decode(message, device: device.id)
        try handle(
            [heard, .report(DeviceReport(source: device.id, events: events))],
            event: frameRecord(raw, port: port, device: device.id, kind: events.map(\.kind.rawValue)))
    }

    private func routeFields(_ fields: [String: String], raw: [UInt8], device: Device, port: String) throws {
        guard let profile = site.profiles[device.profile] else {
            try rejectFrame(raw, from: device.id, port: port, reason: "device profile \(device.profile) is not loaded")
            return
        }
        switch PayloadDecoder(profile: profile).decode(fields: fields, device: device.id) {
        case .success(let events):
            try handle(
                [.report(DeviceReport(source: device.id, events: events))],
                event: frameRecord(raw, port: port, device: device.id, kind: events.map(\.kind.rawValue)))
        case .failure(let error):
            try rejectFrame(raw, from: device.id, port: port, reason: error.description)
        }
    }

    private func frameRecord(_ raw: [UInt8], port: String, device: String, kind: [String]) -> EventRecord {
        serialRecord(raw, port: port, device: device, kind: kind.joined(separator: ","))
    }

    /// The event-log record of what came over a serial port (or happened to it). Serial lines
    /// carry no message id, so each record gets a fresh key; resends are caught by
    /// `SerialService` before they get here.
    private func serialRecord(
        _ bytes: [UInt8], port: String, device: String, kind: String?, rejection: String? = nil
    ) -> EventRecord {
        EventRecord(
            key: "serial:\(port):\(UUID().uuidString)", receivedAt: clock.now(), source: "serial:\(port)",
            device: device, kind: kind,
            payload: Data(rejection == nil ? bytes : Array(bytes.prefix(Self.rejectedPayloadLimit))),
            status: rejection == nil ? .accepted : .rejected, reason: rejection)
    }

    private func rejectFrame(_ raw: [UInt8], from source: String, port: String, reason: String, also: [Input] = [])
        throws
    {
        try handle(
            also + [.rejected(source: source, reason: reason)],
            event: serialRecord(raw, port: port, device: source, kind: nil, rejection: reason))
        if let line = rejections.note(source: source, reason: reason, at: clock.now()) {
            logger.warning("\(line)")
        }
    }
}
