import Foundation
import VaktConfig
import VaktCore
import VaktDevices

/// What the fuzzers feed hostile bytes to: every decoder that reads input from outside the
/// box. Each must reject what it cannot read and never crash, hang or grow without bound.
///
/// Used by `vakt-fuzz` (libFuzzer, through `scripts/fuzz`) and by the regression test that
/// replays every stored input, so a crash the fuzzer found stays fixed.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// MQTT payloads through every JSON device profile's decoder.
    case payload
    /// Serial bytes through every line format's framing and parser, fed in two parts.
    case frames
    /// Staff commands, test-mode requests and timeline queries as they arrive on the command topic.
    case command
    /// Contact ID text through the social-alarm unit's code table.
    case contactid

    /// The device profiles the payload target decodes with, from `VAKT_DEVICES` (default
    /// `Devices` in the working directory), loaded once.
    static let profiles: [DeviceProfile] = {
        let directory = ProcessInfo.processInfo.environment["VAKT_DEVICES"] ?? "Devices"
        return ProfileCatalog.load(directory: directory).profiles.values.sorted { $0.id < $1.id }
    }()

    static let payloadDecoders = profiles.filter { $0.format == .json }.map(PayloadDecoder.init(profile:))
    static let contactIDDecoders = profiles.filter { $0.format == .contactID }.map(ContactIDDecoder.init(profile:))

    /// Feeds `bytes` to the target. Returns normally whatever the bytes are; anything else (a
    /// trap, a hang) is the bug the fuzzer is looking for.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .payload:
            for decoder in Self.payloadDecoders { _ = decoder.decode(bytes, device: "fuzz") }
        case .frames:
            let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
            for format in LineFormat.allCases {
                var decoder = LineDecoder(format: format)
                var decoded = decoder.feed(bytes[..<split])
                decoded += decoder.feed(bytes[split...])
                for case .frame(let frame, _) in decoded {
                    _ = format.acknowledgement(for: .frame(frame, raw: []))
                    _ = LineEncoder.encode(frame, format: format)
                }
            }
        case .command:
            _ = CommandPayload.parse(bytes, staff: "fuzz")
            _ = TestModeRequest.parse(bytes, staff: "fuzz")
            _ = TimelineQuery.parse(bytes)
        case .contactid:
            let text = String(decoding: bytes, as: UTF8.self)
            guard let message = ContactIDDecoder.message(from: text) else { return }
            for decoder in Self.contactIDDecoders { _ = decoder.decode(message, device: "fuzz") }
            _ = ContactIDDecoder.text(of: message)
        }
    }

    /// Loads what the targets need before the first input, so the fuzzer does not count it;
    /// returns how many payload and Contact ID profiles were loaded (none means `VAKT_DEVICES`
    /// points nowhere, and those targets test nothing).
    @discardableResult
    public static func prepare() -> (payloadProfiles: Int, contactIDProfiles: Int) {
        (payloadDecoders.count, contactIDDecoders.count)
    }
}
