import Foundation

/// The data directory's lock: one hub per store, and no restore under a running hub.
///
/// `<data>/vakt.lock` is held with `flock` for the life of the process that holds it, so
/// the kernel releases it when that process dies, however it dies. The file holds the pid.
public final class HubLock: @unchecked Sendable {
    public static let fileName = "vakt.lock"
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Takes the lock, or throws a `StartupError` naming the process that holds it.
    public static func acquire(dataDirectory: String) throws -> HubLock {
        try? FileManager.default.createDirectory(
            atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let path = (dataDirectory as NSString).appendingPathComponent(fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw StartupError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines)
            close(fd)
            throw StartupError(
                "another Vakt hub (pid \(holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown")) is using \(dataDirectory); stop it first"
            )
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        return HubLock(descriptor: fd)
    }
}
