import Foundation
import Testing
import VaktNotify
import VaktTesting

@Suite struct SecretResolverTests {
    @Test func readsFilesTrimmed() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-secret")
        defer { directory.remove() }
        let file = try directory.writeSecret("token", "  hunter2\n")
        #expect(try SecretResolver().resolve("file:\(file.path)") == "hunter2")
    }

    @Test func refusesAFileOthersCanReadAndSaysHowToFixIt() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-secret")
        defer { directory.remove() }
        let file = try directory.writeSecret("token", "hunter2\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        do {
            _ = try SecretResolver().resolve("file:\(file.path)")
            Issue.record("a world-readable secret must be refused")
        } catch {
            #expect(error.file == file.path)
            #expect(error.description.contains("mode 644"))
            #expect(error.description.contains("chmod 600 \(file.path)"))
            #expect(!error.description.contains("hunter2"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: file.path)
        #expect(try SecretResolver().resolve("file:\(file.path)") == "hunter2")
        // Group-readable is fine when the owner is root or the user Vakt runs as (root:vakt
        // 0640); group-writable never is.
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        #expect(try SecretResolver().resolve("file:\(file.path)") == "hunter2")
        try FileManager.default.setAttributes([.posixPermissions: 0o660], ofItemAtPath: file.path)
        #expect(throws: SecretError.self) { try SecretResolver().resolve("file:\(file.path)") }
    }

    @Test func readsTheEnvironment() throws {
        let resolver = SecretResolver(environment: ["TOKEN": "hunter2"])
        #expect(try resolver.resolve("env:TOKEN") == "hunter2")
        #expect(try resolver.resolve("plain value") == "plain value")
    }

    @Test func errorsNameTheSourceAndNeverTheSecret() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-secret")
        defer { directory.remove() }
        let empty = try directory.writeSecret("empty", "\n")
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
