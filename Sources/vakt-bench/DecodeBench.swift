import Foundation
import VaktConfig
import VaktCore
import VaktDevices

/// Decode throughput per profile: its recorded samples decoded over and over for a fixed
/// time, as the hub decodes them (JSON payloads and `vakt-line` lines into events, Contact ID
/// messages through the code table, receiver output through the line decoder). One JSON
/// object per profile: samples and events (or messages) per second, and bytes per second.
enum DecodeBench {
    static func run() throws {
        let arguments = CommandLine.arguments
        guard let index = arguments.firstIndex(of: "--devices"), index + 1 < arguments.count else {
            FileHandle.standardError.write(Data("usage: vakt-bench decode --devices DIR [--seconds N]\n".utf8))
            exit(2)
        }
        let seconds = Double(argument("--seconds", default: 1))
        let catalogue = ProfileCatalog.load(directory: arguments[index + 1])
        for profile in catalogue.profiles.values.sorted(by: { $0.id < $1.id }) where !profile.samples.isEmpty {
            let decode = decoder(for: profile)
            let bytes = profile.samples.reduce(0) { $0 + $1.payload.utf8.count }
            var rounds = 0
            var outputs = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            while elapsed < seconds {
                for _ in 0..<100 {
                    for sample in profile.samples { outputs += decode(sample.payload) }
                }
                rounds += 100
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }
            let result: [String: Any] = [
                "profile": profile.id, "format": profile.format.rawValue,
                "samples_per_s": Int(Double(rounds * profile.samples.count) / elapsed),
                "outputs_per_s": Int(Double(outputs) / elapsed),
                "megabytes_per_s": (Double(rounds * bytes) / elapsed / 1e6 * 10).rounded() / 10,
            ]
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// Decodes one sample the way the hub would; returns how many events or messages it gave.
    static func decoder(for profile: DeviceProfile) -> (String) -> Int {
        switch profile.format {
        case .json:
            let decoder = PayloadDecoder(profile: profile)
            return { payload in (try? decoder.decode(Array(payload.utf8), device: "bench").get().count) ?? 0 }
        case .vaktLine:
            let decoder = PayloadDecoder(profile: profile)
            var lines = LineDecoder(format: .vaktLine)
            return { payload in
                var count = 0
                for case .frame(.fields(let fields), _) in lines.feed(Array((payload + "\r\n").utf8)) {
                    count += (try? decoder.decode(fields: fields, device: "bench").get().count) ?? 0
                }
                return count
            }
        case .contactID:
            let decoder = ContactIDDecoder(profile: profile)
            return { payload in
                ContactIDDecoder.message(from: payload).map { decoder.decode($0, device: "bench").count } ?? 0
            }
        case .ademco685, .surgardMLR2, .contactIDDTMF:
            var lines = LineDecoder(format: LineFormat(rawValue: profile.format.rawValue) ?? .ademco685)
            return { payload in lines.feed(Array(payload.utf8)).count }
        }
    }
}
