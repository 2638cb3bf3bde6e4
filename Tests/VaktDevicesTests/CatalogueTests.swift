import Foundation
import Testing
import VaktConfig
import VaktCore
import VaktDevices
import VaktTesting

/// Walks the whole device catalogue (`Devices/`): every profile loads, and every recorded
/// sample decodes to exactly the events written beside it.
@Suite struct CatalogueTests {
    static let directory = RepositoryPaths.devices.path
    static let catalogue = ProfileCatalog.load(directory: directory)

    /// `<ecosystem>/<model>` for every YAML file on disk.
    static func filesOnDisk() throws -> [String] {
        let fileManager = FileManager.default
        var ids: [String] = []
        for ecosystem in try fileManager.contentsOfDirectory(atPath: directory) where !ecosystem.hasPrefix(".") {
            let folder = (directory as NSString).appendingPathComponent(ecosystem)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            for name in try fileManager.contentsOfDirectory(atPath: folder)
            where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
                ids.append("\(ecosystem)/\(name.dropLast(".yaml".count))")
            }
        }
        return ids.sorted()
    }

    @Test func everyProfileLoadsWithoutErrors() throws {
        #expect(Self.catalogue.errors.isEmpty, "\(Self.catalogue.errors.map(\.description).joined(separator: "\n"))")
        let files = try Self.filesOnDisk()
        #expect(!files.isEmpty)
        #expect(Self.catalogue.profiles.keys.sorted() == files)
    }

    @Test func everyProfileHasSamples() {
        for profile in Self.catalogue.profiles.values {
            #expect(!profile.samples.isEmpty, "\(profile.id) has no recorded sample payloads")
        }
    }

    /// Every sample decodes to exactly what is written beside it, whatever the format:
    /// JSON payloads and `vakt-line` lines to events, Contact ID messages through the code
    /// table, receiver output to the messages it carries.
    @Test func everySampleDecodesToItsEvents() {
        for profile in Self.catalogue.profiles.values.sorted(by: { $0.id < $1.id }) {
            for (index, sample) in profile.samples.enumerated() {
                let label = "\(profile.id) sample \(index + 1)"
                switch Self.decode(sample, with: profile) {
                case .events(let events):
                    #expect(events.map(\.kind) == sample.events, "\(label)")
                    #expect(events.allSatisfy { $0.device == "dev" && $0.raw != nil }, "\(label)")
                case .messages(let messages):
                    #expect(messages == sample.messages, "\(label)")
                case .failed(let reason):
                    Issue.record("\(label) does not decode: \(reason)")
                }
            }
        }
    }

    enum Decoded {
        case events([DeviceEvent])
        case messages([String])
        case failed(String)
    }

    /// Decodes a sample as the hub would decode what the profile describes.
    static func decode(_ sample: ProfileSample, with profile: DeviceProfile) -> Decoded {
        switch profile.format {
        case .json:
            switch PayloadDecoder(profile: profile).decode(Array(sample.payload.utf8), device: "dev") {
            case .success(let events): return .events(events)
            case .failure(let error): return .failed("\(error)")
            }
        case .vaktLine:
            var decoder = LineDecoder(format: .vaktLine)
            let frames = decoder.feed(Array((sample.payload + "\r\n").utf8))
            guard frames.count == 1, case .frame(.fields(let fields), _) = frames[0] else {
                return .failed("not one vakt-line frame: \(frames)")
            }
            switch PayloadDecoder(profile: profile).decode(fields: fields, device: "dev") {
            case .success(let events): return .events(events)
            case .failure(let error): return .failed("\(error)")
            }
        case .contactID:
            guard let message = ContactIDDecoder.message(from: sample.payload) else {
                return .failed("not a Contact ID message")
            }
            return .events(ContactIDDecoder(profile: profile).decode(message, device: "dev"))
        case .ademco685, .surgardMLR2, .contactIDDTMF:
            guard let format = LineFormat(rawValue: profile.format.rawValue) else { return .failed("no line format") }
            var decoder = LineDecoder(format: format)
            var messages: [String] = []
            for decoded in decoder.feed(Array(sample.payload.utf8)) {
                switch decoded {
                case .frame(.contactID(let message), _): messages.append(ContactIDDecoder.text(of: message))
                case .frame(.heartbeat, _): messages.append("heartbeat")
                case .frame(.fields, _): return .failed("a receiver yielded fields")
                case .rejected(let reason, _): return .failed(reason)
                }
            }
            return .messages(messages)
        }
    }

    /// Byte by byte: a JSON payload cut anywhere, or two glued together, is rejected whole and
    /// never yields half its events.
    @Test func cutOrGluedSamplesAreRejected() {
        for profile in Self.catalogue.profiles.values where profile.format == .json {
            let decoder = PayloadDecoder(profile: profile)
            for sample in profile.samples {
                let bytes = Array(sample.payload.utf8)
                for end in 0..<bytes.count {
                    if case .success(let events) = decoder.decode(Array(bytes[..<end]), device: "dev") {
                        Issue.record("\(profile.id): prefix of \(end) bytes decoded to \(events.map(\.kind))")
                    }
                }
                if case .success = decoder.decode(bytes + bytes, device: "dev") {
                    Issue.record("\(profile.id): two payloads glued together decoded")
                }
            }
        }
    }

    /// Receiver output fed one byte at a time yields the same messages as fed whole.
    @Test func receiverSamplesDecodeByteByByte() {
        for profile in Self.catalogue.profiles.values where profile.format.isReceiver {
            guard let format = LineFormat(rawValue: profile.format.rawValue) else { continue }
            for sample in profile.samples {
                var whole = LineDecoder(format: format)
                var single = LineDecoder(format: format)
                let expected = whole.feed(Array(sample.payload.utf8))
                let bytewise = sample.payload.utf8.flatMap { single.feed([$0]) }
                #expect(bytewise == expected, "\(profile.id): \(sample.payload.debugDescription)")
            }
        }
    }

    /// Every event a profile can yield is shown by at least one sample: nothing is untested.
    @Test func samplesCoverEveryMappedEvent() {
        for profile in Self.catalogue.profiles.values {
            let sampled = Set(profile.samples.flatMap(\.events))
            let missing = profile.yieldableEvents.subtracting(sampled).map(\.rawValue).sorted()
            #expect(missing.isEmpty, "\(profile.id): no sample yields \(missing)")
        }
    }

    /// The catalogue has what the device layer promises: every required model, a dispenser
    /// profile for each transport, and a profile for each receiver format.
    @Test func catalogueHasTheRequiredModels() {
        let models = Set(Self.catalogue.profiles.values.flatMap(\.modelIDs))
        for model in [
            "MCCGQ11LM", "SNZB-04", "MIR-HE200-TY_fall", "HS2FD-EF1-3.0", "FDS315", "TS0215A_sos", "SJCGQ11LM",
            "RTCZCGQ11LM",
        ] {
            #expect(models.contains(model), "no profile for \(model)")
        }
        let formats = Set(Self.catalogue.profiles.values.map(\.format))
        #expect(
            formats == Set(PayloadFormat.allCases),
            "formats without a profile: \(Set(PayloadFormat.allCases).subtracting(formats))")
        let kinds = Set(Self.catalogue.profiles.values.flatMap { $0.samples.flatMap(\.events) })
        for kind: EventKind in [.smokeDetected, .waterLeak, .presenceDetected, .doseMissed, .sos, .fallDetected] {
            #expect(kinds.contains(kind), "no profile yields \(kind)")
        }
    }

    @Test func everyEventKindIsKnown() {
        for profile in Self.catalogue.profiles.values {
            for sample in profile.samples {
                #expect(sample.events.allSatisfy(EventKind.known.contains), "\(profile.id): \(sample.events)")
            }
        }
    }
}
