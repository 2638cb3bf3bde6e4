import Crypto
import Foundation
import VaktCore

/// Names exactly which configuration the hub ran with: a SHA-256 over every `*.yaml` file of
/// the config directory and of the device profile directory, each as its path relative to
/// its directory, a NUL, its bytes and a NUL, in path order.
///
/// Recorded in the audit at start (`config.loaded`), so a night's record says which rules and
/// escalation policies were in force; `vakt check` prints the same digest.
public enum ConfigDigest {
    public static func sha256(configDirectory: String, profilesDirectory: String?) -> String {
        var hasher = SHA256()
        for (prefix, directory) in [("config", configDirectory), ("profiles", profilesDirectory)] {
            guard let directory else { continue }
            for relative in yamlFiles(under: directory) {
                let data = FileManager.default.contents(
                    atPath: (directory as NSString).appendingPathComponent(relative))
                hasher.update(data: Data("\(prefix)/\(relative)\u{0}".utf8))
                hasher.update(data: data ?? Data())
                hasher.update(data: Data([0]))
            }
        }
        return Hex.string(hasher.finalize())
    }

    /// `*.yaml` files under `directory`, relative paths, sorted; hidden files and scenario
    /// folders (`scenarios/`, plays for `vakt simulate`, not configuration) left out.
    private static func yamlFiles(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let path = walker.nextObject() as? String {
            let components = path.split(separator: "/")
            if components.contains(where: { $0.hasPrefix(".") || $0 == "scenarios" }) { continue }
            if path.hasSuffix(".yaml") { files.append(path) }
        }
        return files.sorted()
    }
}
