import Foundation
import VaktCore

/// Loads a site from a directory of YAML files and validates all of it.
///
/// Every `*.yaml` file in the directory is a mapping of sections (`site`, `rooms`, `staff`,
/// ...); each section may appear in only one file. The device profiles named by `profiles:`
/// are loaded too, and their errors are reported with the site's.
public enum SiteLoader {
    /// Reads, checks and builds the site in `directory`.
    ///
    /// Checking never stops at the first problem: syntax errors, unknown keys, wrong types,
    /// missing keys, duplicate ids and topics, dangling references, bad durations, time zones
    /// and enum values are all collected.
    ///
    /// - Parameter directory: The config directory; error paths are joined from it as given.
    /// - Throws: `ConfigErrors` with every problem found, sorted by file, line and column.
    public static func load(directory: String) throws(ConfigErrors) -> Site {
        let diagnostics = Diagnostics()
        let sections = readSections(directory, diagnostics)
        // Without a readable directory every later check would only repeat that.
        if sections.isEmpty && !diagnostics.errors.isEmpty { throw ConfigErrors(diagnostics.errors) }
        let reader = SiteReader(directory: directory, sections: sections, diagnostics: diagnostics)
        let site = reader.read()
        guard diagnostics.errors.isEmpty, let site else {
            throw ConfigErrors(diagnostics.errors)
        }
        return site
    }

    /// Parses every `*.yaml` file of `directory`, in name order, into one section table.
    static func readSections(_ directory: String, _ diagnostics: Diagnostics) -> SectionTable {
        var table = SectionTable()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            var isDirectory: ObjCBool = false
            let reason =
                !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
                ? "does not exist"
                : isDirectory.boolValue ? "cannot be read (permissions?)" : "is a file, not a directory"
            diagnostics.report(
                "the config directory \(reason); pass --config DIR or set VAKT_CONFIG", at: .start(of: directory))
            return table
        }
        for name in names.sorted() where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
            let path = PathJoin.join(directory, name)
            if let root = YAMLFile.read(path, diagnostics) {
                table.add(root, diagnostics)
            }
        }
        return table
    }
}
