import Foundation

/// A copy of `Config/demo` in a temp dir, pointed at a test's own webhook receiver, with the
/// device catalogue given by absolute path so the copy loads anywhere.
public struct DemoSiteCopy: Sendable {
    public let directory: TemporaryDirectory
    public var configPath: String { directory.appending("config").path }
    public var dataPath: String { directory.appending("data").path }

    /// - Parameters:
    ///   - webhookURL: Replaces the demo channel's URL.
    ///   - edits: Further textual replacements per file name, e.g. `["escalation.yaml": [("after: 2m", "after: 30s")]]`.
    ///   - serial: Keep the alarm receiver and the serial devices. Without them (the default) a
    ///     test about MQTT devices does not see the technical alarms their missing ports raise.
    public init(webhookURL: String, edits: [String: [(String, String)]] = [:], serial: Bool = false) throws {
        directory = try TemporaryDirectory(prefix: "vakt-site")
        let config = directory.appending("config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.demoConfig.path)
        for file in files where file.hasSuffix(".yaml") {
            var text = try String(contentsOf: RepositoryPaths.demoConfig.appendingPathComponent(file), encoding: .utf8)
            text = text.replacingOccurrences(of: "http://127.0.0.1:8088/vakt", with: webhookURL)
            for (from, to) in edits[file] ?? [] {
                guard text.contains(from) else { throw TestSupportError("\(file) has no '\(from)' to replace") }
                text = text.replacingOccurrences(of: from, with: to)
            }
            if file == "devices.yaml" && !serial { text = Self.withoutSerialItems(text) }
            if file == "site.yaml" {
                text = text.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("profiles:") && !$0.hasPrefix("data:") }
                    .joined(separator: "\n")
                text += "\nprofiles: \(RepositoryPaths.devices.path)\ndata: \(directory.appending("data").path)\n"
            }
            try text.write(to: config.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
    }

    public func remove() { directory.remove() }

    /// Drops the list items (`  - id: ...` and their indented lines) that name a serial `port`
    /// or a `receiver`.
    static func withoutSerialItems(_ text: String) -> String {
        var kept: [Substring] = []
        var item: [Substring] = []
        func flush() {
            if !item.contains(where: { $0.hasPrefix("    port:") || $0.hasPrefix("    receiver:") }) { kept += item }
            item = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  - ") {
                flush()
                item = [line]
            } else if line.hasPrefix("    ") && !item.isEmpty {
                item.append(line)
            } else {
                flush()
                kept.append(line)
            }
        }
        flush()
        return kept.joined(separator: "\n")
    }
}
