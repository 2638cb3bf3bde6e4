import Foundation
import VaktCore

/// The device profile catalogue: one YAML file per device model, grouped by ecosystem.
///
/// The layout is `<dir>/<ecosystem>/<model>.yaml`, e.g. `Devices/zigbee2mqtt/aqara-mccgq11lm.yaml`;
/// a profile's id is `<ecosystem>/<file name without .yaml>`.
public enum ProfileCatalog {
    /// Loads every profile under `directory`, checking each fully.
    ///
    /// A profile with errors is left out of `profiles`; its errors are in `errors`, with paths
    /// joined from `directory` as given.
    public static func load(directory: String) -> (profiles: [String: DeviceProfile], errors: [ConfigError]) {
        let diagnostics = Diagnostics()
        var profiles: [String: DeviceProfile] = [:]
        let fileManager = FileManager.default
        guard let ecosystems = try? fileManager.contentsOfDirectory(atPath: directory) else {
            diagnostics.report("cannot read the device profile directory", at: .start(of: directory))
            return ([:], diagnostics.errors)
        }
        for ecosystem in ecosystems.sorted() where !ecosystem.hasPrefix(".") {
            let folder = PathJoin.join(directory, ecosystem)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
                let names = try? fileManager.contentsOfDirectory(atPath: folder)
            else { continue }
            for name in names.sorted() where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
                let id = "\(ecosystem)/\(name.dropLast(".yaml".count))"
                let path = PathJoin.join(folder, name)
                let before = diagnostics.errors.count
                guard let root = YAMLFile.read(path, diagnostics) else {
                    if diagnostics.errors.count == before {
                        diagnostics.report("the profile is empty", at: .start(of: path))
                    }
                    continue
                }
                let profile = ProfileReader(diagnostics: diagnostics).read(root, id: id)
                if let profile, diagnostics.errors.count == before { profiles[id] = profile }
            }
        }
        return (profiles, diagnostics.errors)
    }
}
