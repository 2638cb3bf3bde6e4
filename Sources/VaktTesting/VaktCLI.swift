import Foundation

/// Runs the `vakt` executable to completion and captures what it printed.
public enum VaktCLI {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `vakt` with `arguments`; returns its exit status and output.
    public static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.vaktBinary)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try withSignalsUnblocked { try process.run() }
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts `vakt run` on a config, broker and data directory; waits until it is connected
    /// and the broker has confirmed its subscriptions, so nothing a test publishes next can
    /// miss it.
    public static func startHub(config: String, broker: String, data: String? = nil) throws -> ChildProcess {
        var arguments = ["run", "--config", config, "--broker", broker]
        if let data { arguments += ["--data", data] }
        let hub = try ChildProcess(RepositoryPaths.vaktBinary, arguments)
        try hub.waitForLine(containing: "broker confirmed the subscriptions")
        return hub
    }
}
