import Foundation
import Testing
import VaktCore
import VaktTesting

@testable import VaktConfig

/// Every YAML example in docs/rules.md loads with the demo site: the examples cannot go stale.
/// An example's `rules` and `policies` are put before the demo's own; its other sections
/// replace the demo's. Blocks starting `# fragment` are parts of a file and are skipped.
@Suite struct RulesDocTests {
    /// The YAML blocks of a Markdown text.
    static func yamlBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```yaml" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n") + "\n")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// A block's top-level sections, each with its text (the key line and what follows).
    static func sections(_ block: String) -> [(name: String, body: String)] {
        var result: [(String, [Substring])] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first.isLetter, let colon = line.firstIndex(of: ":") {
                result.append((String(line[..<colon]), [line]))
            } else if !result.isEmpty {
                result[result.count - 1].1.append(line)
            }
        }
        return result.map { ($0.0, $0.1.joined(separator: "\n")) }
    }

    @Test func everyExampleLoadsWithTheDemoSite() throws {
        let doc = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let blocks = Self.yamlBlocks(doc).filter { !$0.hasPrefix("# fragment") }
        #expect(blocks.count >= 9)
        for block in blocks {
            let site = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/x")
            defer { site.remove() }
            var replaced = ""
            for (name, body) in Self.sections(block) {
                let owner = try FileManager.default.contentsOfDirectory(atPath: site.configPath).first { file in
                    let text = try String(contentsOfFile: site.configPath + "/" + file, encoding: .utf8)
                    return text.hasPrefix("\(name):") || text.contains("\n\(name):")
                }
                guard let file = owner else {
                    // A section the demo does not have (a roster): the example brings it.
                    replaced += body + "\n"
                    continue
                }
                let path = site.configPath + "/" + file
                var text = try String(contentsOfFile: path, encoding: .utf8)
                if name == "rules" || name == "policies" {
                    let items = body.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
                    text = text.replacingOccurrences(
                        of: "\n\(name):\n", with: "\n\(name):\n" + items.joined(separator: "\n") + "\n")
                } else {
                    // Drop the demo's section: from its key to the next top-level line.
                    var kept: [Substring] = []
                    var skipping = false
                    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                        if line.hasPrefix("\(name):") {
                            skipping = true
                            continue
                        }
                        if skipping, let first = line.first, first.isLetter || first == "#" { skipping = false }
                        if !skipping { kept.append(line) }
                    }
                    text = kept.joined(separator: "\n")
                    replaced += body + "\n"
                }
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            if !replaced.isEmpty {
                try replaced.write(toFile: site.configPath + "/example.yaml", atomically: true, encoding: .utf8)
            }
            do {
                let loaded = try SiteLoader.load(directory: site.configPath)
                // An example put before the demo's rules may shadow one of those; it must not
                // itself be shadowed or otherwise warned about.
                let ids = Self.sections(block).filter { $0.name == "rules" }.flatMap { section in
                    section.body.split(separator: "\n").compactMap { line -> String? in
                        guard let range = line.range(of: "- id: ") else { return nil }
                        return String(line[range.upperBound...])
                    }
                }
                let own = RuleDescriptions.warnings(loaded).filter { warning in
                    !warning.contains(" never raises: ") || ids.contains { warning.hasPrefix("rule \($0) ") }
                }
                #expect(own == [], "\(block)")
            } catch {
                Issue.record("docs/rules.md example does not load:\n\(block)\n\(error.description)")
            }
        }
    }
}
