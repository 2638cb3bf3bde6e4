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

    @Test func everySampleDecodesToItsEvents() {
        for profile in Self.catalogue.profiles.values.sorted(by: { $0.id < $1.id }) {
            let decoder = PayloadDecoder(profile: profile)
            for (index, sample) in profile.samples.enumerated() {
                switch decoder.decode(Array(sample.payload.utf8), device: "dev") {
                case .success(let events):
                    #expect(events.map(\.kind) == sample.events, "\(profile.id) sample \(index + 1)")
                    #expect(events.allSatisfy { $0.device == "dev" && $0.raw != nil })
                case .failure(let error):
                    Issue.record("\(profile.id) sample \(index + 1) does not decode: \(error)")
                }
            }
        }
    }

    /// Byte by byte: a payload cut anywhere, or two glued together, is rejected whole and
    /// never yields half its events.
    @Test func cutOrGluedSamplesAreRejected() {
        for profile in Self.catalogue.profiles.values {
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

    /// Every event a profile can yield is shown by at least one sample: nothing is untested.
    @Test func samplesCoverEveryMappedEvent() {
        for profile in Self.catalogue.profiles.values {
            let sampled = Set(profile.samples.flatMap(\.events))
            var mapped = Set<EventKind>()
            for field in profile.fields {
                mapped.formUnion(field.values.values)
                if let event = field.event { mapped.insert(event) }
            }
            let missing = mapped.subtracting(sampled).map(\.rawValue).sorted()
            #expect(missing.isEmpty, "\(profile.id): no sample yields \(missing)")
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
