import Foundation
import Testing
import VaktTesting

@testable import VaktDevices

@Suite struct PseudoTerminalTests {
    @Test func slaveIsATerminalUnderDevPts() throws {
        let device = try PseudoTerminal()
        defer { device.close() }
        #expect(device.devicePath.hasPrefix("/dev/pts/"))
        #expect(FileManager.default.fileExists(atPath: device.devicePath))
        #expect(device.read(timeout: 0.01) == [])
    }

    @Test func closeRemovesItsLink() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-serial")
        defer { directory.remove() }
        let path = directory.appending("usb-Vendor_Receiver-if00").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let device = try PseudoTerminal()
        try device.link(at: path)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == device.devicePath)
        device.close()
        device.close()
        // Not checked: that /dev/pts/N is gone. The kernel removes it, but a pseudo-terminal opened
        // meanwhile by a test running in parallel may get the same number.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil)
        #expect(throws: SerialError.self) { try device.write([1]) }
    }

    @Test func closeLeavesALinkThatLeadsElsewhereNow() throws {
        let directory = try TemporaryDirectory(prefix: "vakt-serial")
        defer { directory.remove() }
        let path = directory.appending("receiver").path
        let old = try PseudoTerminal()
        try old.link(at: path)
        let new = try PseudoTerminal()
        defer { new.close() }
        try new.link(at: path)
        old.close()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == new.devicePath)
    }

    @Test func linkInMissingDirectoryThrows() throws {
        let device = try PseudoTerminal()
        defer { device.close() }
        #expect(throws: SerialError.self) { try device.link(at: "/nonexistent-vakt/dir/receiver") }
    }
}
