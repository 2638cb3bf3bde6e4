import Foundation

/// A program a test starts (a broker, a receiver, the hub itself), with its output captured.
///
/// Output is collected line by line so a test can wait for a line instead of sleeping.
/// `stop()` sends SIGTERM and waits; `kill()` sends SIGKILL, as a crash would.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let lock = NSCondition()
    private var lines: [String] = []
    private var partial = Data()

    /// Starts `executable` with `arguments`; stdout and stderr are merged and captured.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.append(data)
            if data.isEmpty { handle.readabilityHandler = nil }
        }
        process.terminationHandler = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.lock.broadcast()
            self.lock.unlock()
        }
        try withSignalsUnblocked { try process.run() }
    }

    private func append(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        partial.append(data)
        while let newline = partial.firstIndex(of: 0x0A) {
            lines.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
            partial.removeSubrange(partial.startIndex...newline)
        }
        lock.broadcast()
    }

    /// Everything printed so far, one element per line.
    public var output: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    public var isRunning: Bool { process.isRunning }

    /// Waits until a printed line contains `text`; throws after `timeout` seconds, or when the
    /// process exits first. The timeout is a safety net, not a measurement.
    @discardableResult
    public func waitForLine(containing text: String, timeout: TimeInterval = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        var checked = 0
        while true {
            while checked < lines.count {
                if lines[checked].contains(text) { return lines[checked] }
                checked += 1
            }
            if !process.isRunning {
                throw TestSupportError(
                    "process exited (\(process.terminationStatus)) before printing '\(text)'; output:\n\(lines.joined(separator: "\n"))"
                )
            }
            if !lock.wait(until: deadline) {
                throw TestSupportError("timed out waiting for '\(text)'; output:\n\(lines.joined(separator: "\n"))")
            }
        }
    }

    /// Sends SIGTERM and waits for the process to exit. Returns its exit status.
    ///
    /// A process that ignores SIGTERM for `timeout` seconds is killed with SIGKILL, so a test
    /// never hangs on a child; the status then says so (terminated by signal 9).
    @discardableResult
    public func stop(timeout: TimeInterval = 20) -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        while process.isRunning && lock.wait(until: deadline) {}
        lock.unlock()
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGKILL, as a crash or power cut would, and waits for the process to end.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits for the process to exit on its own; returns its exit status.
    @discardableResult
    public func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Runs `body` with no signal blocked on the calling thread.
///
/// A spawned process inherits the spawning thread's signal mask, and the worker threads tests
/// run on block SIGTERM. A child started from such a thread (mosquitto, the hub) would never see
/// the SIGTERM that `stop()` sends, so every child is spawned with an empty mask.
public func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
    var none = sigset_t()
    var saved = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, &saved)
    defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
    return try body()
}
