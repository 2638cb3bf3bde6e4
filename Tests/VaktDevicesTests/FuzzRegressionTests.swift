import Foundation
import Testing
import VaktFuzzTargets
import VaktTesting

/// Every input in Tests/FuzzCorpus (the seeds, and whatever `scripts/fuzz` found that once
/// crashed or hung a decoder) goes through its fuzz target again: what was fixed stays fixed.
@Suite struct FuzzRegressionTests {
    @Test func everyStoredInputIsReadWithoutACrash() throws {
        setenv("VAKT_DEVICES", RepositoryPaths.devices.path, 1)
        let loaded = FuzzTarget.prepare()
        #expect(loaded.payloadProfiles >= 10)
        #expect(loaded.contactIDProfiles >= 1)
        let corpus = RepositoryPaths.root.appendingPathComponent("Tests/FuzzCorpus")
        var replayed: [FuzzTarget: Int] = [:]
        for target in FuzzTarget.allCases {
            let directory = corpus.appendingPathComponent(target.rawValue)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            for file in files {
                let data = try Data(contentsOf: directory.appendingPathComponent(file))
                target.run(Array(data))
                replayed[target, default: 0] += 1
            }
        }
        // Every target has inputs: an empty folder would make this test pass on nothing.
        for target in FuzzTarget.allCases { #expect(replayed[target, default: 0] > 0, "\(target) has no inputs") }
    }
}
