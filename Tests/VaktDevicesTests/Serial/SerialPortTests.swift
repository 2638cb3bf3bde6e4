import Foundation
import Testing
import VaktCore
import VaktTesting

@testable import VaktDevices

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct SerialPortTests {
    @Test func appliesSpeedStopBitsAndRawMode() throws {
        let device = try PseudoTerminal()
        defer { device.close() }
        let port = try SerialPort(path: device.devicePath, settings: SerialSettings(baud: 1200, stopBits: 2))
        defer { port.close() }
        // Read back through the tty itself: what the driver kept, not what was asked for.
        var applied = try #require(SerialTesting.attributes(of: port.descriptor))
        #expect(cfgetispeed(&applied) == speed_t(B1200))
        #expect(cfgetospeed(&applied) == speed_t(B1200))
        #expect(applied.c_cflag & tcflag_t(CSTOPB) != 0)
        #expect(applied.c_cflag & tcflag_t(CLOCAL | CREAD) == tcflag_t(CLOCAL | CREAD))
        #expect(applied.c_cflag & tcflag_t(CRTSCTS) == 0)
        #expect(applied.c_lflag & tcflag_t(ICANON | ECHO | ISIG) == 0)
        #expect(applied.c_oflag & tcflag_t(OPOST) == 0)
        withUnsafeBytes(of: &applied.c_cc) { cc in
            #expect(cc[Int(VMIN)] == 0)
            #expect(cc[Int(VTIME)] == 0)
        }
    }

    /// The pty driver forces 8 data bits without parity whatever is set (`pty_set_termios`), so
    /// 7E1 is checked here only as far as a pty can show it; `SerialSettingsTests` checks the flags.
    @Test func opensSevenEvenOneAndEightNoneTwo() throws {
        let device = try PseudoTerminal()
        defer { device.close() }
        for settings in [
            SerialSettings(baud: 2400, dataBits: 7, parity: .even, stopBits: 1),
            SerialSettings(baud: 19_200, dataBits: 8, parity: .none, stopBits: 2),
        ] {
            let port = try SerialPort(path: device.devicePath, settings: settings)
            defer { port.close() }
            var applied = try #require(SerialTesting.attributes(of: port.descriptor))
            #expect(cfgetospeed(&applied) == settings.speed)
            #expect((applied.c_cflag & tcflag_t(CSTOPB) != 0) == (settings.stopBits == 2))
        }
    }

    @Test func bytesGoBothWays() throws {
        let device = try PseudoTerminal()
        defer { device.close() }
        let port = try SerialPort(path: device.devicePath, settings: SerialSettings())
        defer { port.close() }
        try device.write(Array("5678 18 1 130 01 015\r".utf8))
        var received: [UInt8] = []
        while received.count < 21, case .bytes(let chunk) = port.read(timeout: 10) { received += chunk }
        #expect(received == Array("5678 18 1 130 01 015\r".utf8))
        try port.write([0x06])
        #expect(device.read(timeout: 10) == [0x06])
        #expect(port.read(timeout: 0.05) == .timeout)
    }

    @Test func discardsWhatArrivedBeforeItOpened() throws {
        let device = try PseudoTerminal()
        defer { device.close() }
        try device.write(Array("stale".utf8))
        let port = try SerialPort(path: device.devicePath, settings: SerialSettings())
        defer { port.close() }
        try device.write(Array("fresh".utf8))
        var received: [UInt8] = []
        while received.count < 5, case .bytes(let chunk) = port.read(timeout: 10) { received += chunk }
        #expect(received == Array("fresh".utf8))
    }

    @Test func hangUpReadsAsClosed() throws {
        let device = try PseudoTerminal()
        let port = try SerialPort(path: device.devicePath, settings: SerialSettings())
        defer { port.close() }
        device.close()
        guard case .closed(let reason) = port.read(timeout: 10) else {
            Issue.record("a hung-up port did not read as closed")
            return
        }
        #expect(reason.contains("hung up"))
        #expect(reason.contains(device.devicePath))
        #expect(throws: SerialError.io(operation: "write", path: device.devicePath, errno: EIO)) {
            try port.write([0x06])
        }
    }

    @Test func closeIsIdempotentAndReadsClosed() throws {
        let device = try PseudoTerminal()
        defer { device.close() }
        let port = try SerialPort(path: device.devicePath, settings: SerialSettings())
        port.close()
        port.close()
        #expect(!port.isOpen)
        #expect(port.read(timeout: 0) == .closed(reason: "\(device.devicePath) was closed"))
    }

    @Test func secondOpenIsBusyUntilTheFirstCloses() throws {
        let device = try PseudoTerminal()
        defer { device.close() }
        let first = try SerialPort(path: device.devicePath, settings: SerialSettings())
        #expect(throws: SerialError.busy(path: device.devicePath)) {
            try SerialPort(path: device.devicePath, settings: SerialSettings())
        }
        #expect(SerialError.busy(path: device.devicePath).description.contains("in use"))
        first.close()
        let second = try SerialPort(path: device.devicePath, settings: SerialSettings())
        second.close()
    }

    @Test func missingNodeSaysNoSuchDevice() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-serial")
        defer { directory.remove() }
        let path = directory.appending("ttyUSB9").path
        #expect(throws: SerialError.noSuchDevice(path: path)) { try SerialPort(path: path, settings: SerialSettings()) }
        #expect(SerialError.noSuchDevice(path: path).description.hasPrefix("no such device \(path)"))
    }

    @Test func regularFileIsNotATerminal() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-serial")
        defer { directory.remove() }
        let path = directory.appending("not-a-tty").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        #expect(throws: SerialError.notATerminal(path: path)) { try SerialPort(path: path, settings: SerialSettings()) }
        #expect(throws: SerialError.notATerminal(path: directory.path)) {
            try SerialPort(path: directory.path, settings: SerialSettings())
        }
    }

    @Test func badSettingsAreRefusedBeforeTheDeviceIsTouched() {
        #expect(throws: SerialError.unsupportedBaud(12_345)) {
            try SerialPort(path: "/nonexistent/tty", settings: SerialSettings(baud: 12_345))
        }
        #expect(throws: SerialError.unsupportedFraming(dataBits: 8, stopBits: 3)) {
            try SerialPort(path: "/nonexistent/tty", settings: SerialSettings(stopBits: 3))
        }
    }

    /// Root opens anything, so the real refusal can only be seen as another user.
    @Test(.enabled(if: getuid() != 0, "root is never refused"))
    func unreadableNodeIsPermissionDenied() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-serial")
        defer { directory.remove() }
        let path = directory.appending("ttyS9").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0]))
        #expect(throws: SerialError.permissionDenied(path: path, group: nil)) {
            try SerialPort(path: path, settings: SerialSettings())
        }
    }

    @Test func permissionDeniedNamesTheGroupToJoin() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-serial")
        defer { directory.remove() }
        let path = directory.appending("ttyUSB0").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o660]))
        let group = String(cString: try #require(getgrgid(getegid())).pointee.gr_name)
        let error = SerialError.opening(path, errno: EACCES)
        #expect(error == .permissionDenied(path: path, group: group))
        #expect(error.description.contains("add the hub's user to group '\(group)'"))
        #expect(chmod(path, 0o600) == 0)
        let noGroupAccess = SerialError.opening(path, errno: EACCES)
        #expect(noGroupAccess == .permissionDenied(path: path, group: nil))
        #expect(noGroupAccess.description.contains("dialout"))
    }

    @Test func noticesItsNodeGoingAway() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-serial")
        defer { directory.remove() }
        let path = directory.appending("by-id-receiver").path
        let device = try PseudoTerminal()
        defer { device.close() }
        try device.link(at: path)
        let port = try SerialPort(path: path, settings: SerialSettings())
        defer { port.close() }
        #expect(port.isStillAtPath)
        let other = try PseudoTerminal()
        defer { other.close() }
        try other.link(at: path)
        #expect(!port.isStillAtPath)
        other.close()
        #expect(!port.isStillAtPath)
    }
}
