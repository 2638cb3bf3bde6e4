import Foundation

/// A program run in a detached tmux session of a fixed size, driven as a person would: the
/// test reads the screen (`capture-pane`) and types (`send-keys`).
///
/// Each session has its own tmux server (a private socket), so tests never meet each other's
/// sessions or a user's.
public final class TmuxSession: @unchecked Sendable {
    private let socket = "vakt-test-\(UUID().uuidString.prefix(8))"
    private let target = "main"

    /// Starts `arguments` (program first) in a `width`×`height` window with TERM=tmux-256color.
    public init(_ arguments: [String], width: Int = 100, height: Int = 30) throws {
        let command = (["env", "TERM=tmux-256color", "LANG=C.UTF-8"] + arguments).map(Self.quote).joined(separator: " ")
        // The tmux server forks from the first client and keeps every descriptor that client
        // had. Foundation's Process learns that a child ended when a descriptor it handed the
        // child closes, so a tmux started straight from here would never count as finished
        // (and would pin descriptors of other tests' processes). Python's subprocess closes
        // every inherited descriptor in the child, so tmux is started through it.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let launcher = """
            import subprocess, sys
            with open(sys.argv[1], "wb") as log:
                sys.exit(subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log, stderr=log))
            """
        let start = try ChildProcess(
            "/usr/bin/python3",
            [
                "-c", launcher, log.path, "/usr/bin/tmux", "-L", socket, "new-session", "-d", "-s", target, "-x",
                "\(width)", "-y", "\(height)", command,
            ])
        guard start.wait() == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestSupportError("tmux new-session failed: \(output) \(start.output.joined(separator: "\n"))")
        }
        // Keep the pane after the program exits, so a crash leaves its last screen to read.
        try tmux(["set-option", "-t", target, "remain-on-exit", "on"])
    }

    private static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let process = try ChildProcess("/usr/bin/tmux", ["-L", socket] + arguments)
        let status = process.wait()
        let output = process.output.joined(separator: "\n")
        guard status == 0 else { throw TestSupportError("tmux \(arguments.first ?? "") failed (\(status)): \(output)") }
        return output
    }

    /// The screen now, one string per row.
    public func screen() throws -> [String] {
        try tmux(["capture-pane", "-p", "-t", target]).components(separatedBy: "\n")
    }

    /// Waits until the screen shows `text`; returns that screen. Throws with the last screen
    /// after `timeout` seconds (a safety net, not a measurement).
    @discardableResult
    public func waitForScreen(containing text: String, timeout: TimeInterval = 20) throws -> [String] {
        try waitForScreen("showed '\(text)'", timeout: timeout) { $0.contains { $0.contains(text) } }
    }

    /// Waits until no row of the screen shows `text`.
    @discardableResult
    public func waitForScreen(without text: String, timeout: TimeInterval = 20) throws -> [String] {
        try waitForScreen("stopped showing '\(text)'", timeout: timeout) { !$0.contains { $0.contains(text) } }
    }

    private func waitForScreen(
        _ what: String, timeout: TimeInterval, until condition: ([String]) -> Bool
    ) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [String] = []
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestSupportError("the screen never \(what); last screen:\n\(last.joined(separator: "\n"))")
    }

    /// Presses keys by tmux name (`Down`, `Enter`, `Escape`) or as single characters.
    public func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", target] + keys)
    }

    /// Resizes the window, as a person dragging the terminal's corner would.
    public func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", target, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Types `text` literally.
    public func type(_ text: String) throws {
        try tmux(["send-keys", "-t", target, "-l", text])
    }

    /// Whether the program in the pane is still running.
    public var programIsRunning: Bool {
        (try? tmux(["display-message", "-p", "-t", target, "#{pane_dead}"])) == "0"
    }

    /// Ends the session and its server.
    public func kill() {
        _ = try? tmux(["kill-server"])
    }

    deinit { kill() }
}
