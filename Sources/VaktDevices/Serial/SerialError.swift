import VaktCore

#if canImport(Glibc)
    import Glibc
#endif

/// Why a serial port could not be opened or written, worded for the operator who has to fix it.
///
/// `SerialLink` reports these descriptions as the reason of `.disconnected`, so each one names the
/// port and says what to do. Two errors are equal when their cases and values are.
public enum SerialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing at the path (`ENOENT`), or a node without a device behind it (`ENXIO`, `ENODEV`):
    /// the adapter is unplugged, or the configured path is wrong.
    case noSuchDevice(path: String)
    /// The hub's user may not open the node. `group` is the node's group when that group may read
    /// and write it (then joining the group is the fix), nil when it may not.
    case permissionDenied(path: String, group: String?)
    /// The path leads to something that is not a terminal, such as a regular file.
    case notATerminal(path: String)
    /// Another program holds the port: another hub (its `flock`), or a program that set `TIOCEXCL`.
    case busy(path: String)
    /// The baud rate is not one of `SerialSettings.supportedBauds`, or the device refused it.
    case unsupportedBaud(Int)
    /// Data bits outside 5 to 8, or stop bits other than 1 or 2.
    case unsupportedFraming(dataBits: Int, stopBits: Int)
    /// The device took nothing for the whole write timeout.
    case writeTimedOut(path: String, seconds: Double)
    /// A system call failed: `operation` is the call (`open`, `tcsetattr`, `write`, ...).
    case io(operation: String, path: String, errno: Int32)

    /// Classifies a failed `open()` of `path`.
    static func opening(_ path: String, errno code: Int32) -> SerialError {
        switch code {
        case ENOENT, ENXIO, ENODEV, ENOTDIR: .noSuchDevice(path: path)
        case EACCES, EPERM: .permissionDenied(path: path, group: groupGrantingAccess(to: path))
        case EBUSY: .busy(path: path)
        case EISDIR: .notATerminal(path: path)
        default: .io(operation: "open", path: path, errno: code)
        }
    }

    /// The name of the group owning `path`, when that group may read and write it.
    private static func groupGrantingAccess(to path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let readWrite = mode_t(S_IRGRP | S_IWGRP)
        guard status.st_mode & readWrite == readWrite else { return nil }
        var entry = group()
        var found: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(status.st_gid, &entry, &buffer, buffer.count, &found) == 0, let found,
            let name = found.pointee.gr_name
        else { return "\(status.st_gid)" }
        return String(cString: name)
    }

    public var description: String {
        switch self {
        case .noSuchDevice(let path):
            return "no such device \(path): check that the device is plugged in and powered, and that the path is right"
        case .permissionDenied(let path, let group?):
            return "permission denied opening \(path): add the hub's user to group '\(group)', which owns it, "
                + "and restart the hub"
        case .permissionDenied(let path, nil):
            return "permission denied opening \(path): its group may not read and write it; give the hub's user "
                + "access (a udev rule with GROUP=\"dialout\", MODE=\"0660\")"
        case .notATerminal(let path):
            return "\(path) is not a serial port (not a tty): check the device path"
        case .busy(let path):
            return "\(path) is in use by another program (another hub, or a terminal program): stop it first"
        case .unsupportedBaud(let baud):
            let supported = SerialSettings.supportedBauds.map(String.init).joined(separator: ", ")
            return "unsupported baud rate \(baud): use one of \(supported)"
        case .unsupportedFraming(let dataBits, let stopBits):
            return "unsupported framing: \(dataBits) data bits and \(stopBits) stop bits "
                + "(data bits 5 to 8, stop bits 1 or 2)"
        case .writeTimedOut(let path, let seconds):
            return "\(path) took nothing written for \(seconds) s: the device or adapter has stalled; "
                + "unplug it and plug it in again"
        case .io(let operation, let path, let code):
            return "\(operation) on \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
