import Foundation
import Testing
import VaktNotify
import VaktTesting

@Suite struct SecretResolverTests {
    @Test func readsFilesTrimmed() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-secret")
        defer { directory.remove() }
        let file = directory.appending("token")
        try "  hunter2\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try SecretResolver().resolve("file:\(file.path)") == "hunter2")
    }

    @Test func readsTheEnvironment() throws {
        let resolver = SecretResolver(environment: ["TOKEN": "hunter2"])
        #expect(try resolver.resolve("env:TOKEN") == "hunter2")
        #expect(try resolver.resolve("plain value") == "plain value")
    }

    @Test func errorsNameTheSourceAndNeverTheSecret() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-secret")
        defer { directory.remove() }
        let empty = directory.appending("empty")
        try "\n".write(to: empty, atomically: true, encoding: .utf8)
        let missing = directory.appending("missing").path

        #expect(throws: SecretError.self) { try SecretResolver().resolve("file:\(missing)") }
        do {
            _ = try SecretResolver().resolve("file:\(missing)")
        } catch {
            #expect(error.file == missing)
            #expect(error.description.contains(missing))
        }
        do {
            _ = try SecretResolver().resolve("file:\(empty.path)")
        } catch {
            #expect(error.description.contains(empty.path))
        }
        do {
            _ = try SecretResolver(environment: ["OTHER": "hunter2"]).resolve("env:TOKEN")
        } catch {
            #expect(error.variable == "TOKEN")
            #expect(!error.description.contains("hunter2"))
        }
    }
}
