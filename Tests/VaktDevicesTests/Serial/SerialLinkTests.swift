import Foundation
import Testing
import VaktCore
import VaktTesting

@testable import VaktDevices

/// A pseudo-terminal linked at a stable path in a fresh directory, as udev links an adapter.
private struct Receiver {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "vakt-serial")
        path = directory.appending("usb-Receiver_1234-if00-port0").path
    }

    /// Plugs a new "device" in at `path`.
    func plug() throws -> PseudoTerminal {
        let device = try PseudoTerminal()
        try device.link(at: path)
        return device
    }
}

/// Collects frames ended by CR and acknowledges each with ACK (0x06), as a Contact ID receiver's
/// decoder would; holds the partial frame between chunks.
private final class FrameAcknowledger: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [UInt8] = []

    func reply(to chunk: [UInt8]) -> [UInt8]? {
        lock.withLock {
            pending += chunk
            let frames = pending.filter { $0 == 0x0D }.count
            if let end = pending.lastIndex(of: 0x0D) { pending.removeSubrange(...end) }
            return frames == 0 ? nil : [UInt8](repeating: 0x06, count: frames)
        }
    }
}

@Suite struct SerialLinkTests {
    @Test func bytesArriveInOrder() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let device = try receiver.plug()
        defer { device.close() }
        let probe = SerialLinkProbe(path: receiver.path)
        #expect(probe.waitForStates(1) == [.connected])
        let frames = ["1234 18 1 130 01 015\r", "1234 18 3 130 01 015\r", "1234 18 1 602 00 000\r"]
        for frame in frames { try device.write(Array(frame.utf8)) }
        let expected = Array(frames.joined().utf8)
        #expect(probe.waitForBytes(expected.count) == expected)
    }

    @Test func largeBurstArrivesComplete() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let device = try receiver.plug()
        defer { device.close() }
        let probe = SerialLinkProbe(path: receiver.path)
        #expect(probe.waitForStates(1) == [.connected])
        let burst = SerialTesting.pattern(count: 100_000)
        try device.write(burst)
        let received = probe.waitForBytes(burst.count)
        #expect(received.count == burst.count)
        #expect(received == burst)
        #expect(probe.states.all == [.connected])
    }

    @Test func acknowledgementReachesTheDevice() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let device = try receiver.plug()
        defer { device.close() }
        let decoder = FrameAcknowledger()
        let probe = SerialLinkProbe(path: receiver.path) { decoder.reply(to: $0) }
        #expect(probe.waitForStates(1) == [.connected])
        // A frame split over two writes is acknowledged once, when it is complete.
        try device.write(Array("1234 18 1 1".utf8))
        try device.write(Array("30 01 015\r".utf8))
        #expect(device.read(timeout: 10) == [0x06])
        try device.write(Array("1234 18 3 130 01 015\r".utf8))
        #expect(device.read(timeout: 10) == [0x06])
        #expect(probe.received == Array("1234 18 1 130 01 015\r1234 18 3 130 01 015\r".utf8))
    }

    @Test func unplugIsReportedOnceAndReplugReconnects() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let first = try receiver.plug()
        let probe = SerialLinkProbe(path: receiver.path, reopenDelay: 0.02)
        #expect(probe.waitForStates(1) == [.connected])
        try first.write(Array("before\r".utf8))
        probe.waitForBytes(7)

        first.close()
        // The hang-up, then the missing node: each reported once, however many retries follow.
        let unplugged = probe.states.wait { $0.last?.reason?.contains("no such device") == true }
        #expect(probe.waitForLoops(20))
        #expect(probe.states.all == unplugged)
        #expect(unplugged.count == 3)
        #expect(unplugged.first == .connected)
        #expect(unplugged.dropFirst().allSatisfy { $0.reason != nil })
        #expect(unplugged[1].reason?.contains(receiver.path) == true)

        let second = try receiver.plug()
        defer { second.close() }
        #expect(probe.states.wait(count: unplugged.count + 1).last == .connected)
        try second.write(Array("after\r".utf8))
        #expect(probe.waitForBytes(13) == Array("before\rafter\r".utf8))
    }

    @Test func missingPortIsReportedThenConnectsWhenItAppears() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let probe = SerialLinkProbe(path: receiver.path, reopenDelay: 0.02)
        let states = probe.waitForStates(1)
        #expect(states.first?.reason?.contains("no such device \(receiver.path)") == true)
        #expect(probe.waitForLoops(20))
        #expect(probe.states.all.count == 1)

        let device = try receiver.plug()
        defer { device.close() }
        #expect(probe.waitForStates(2).last == .connected)
        try device.write(Array("hello\r".utf8))
        #expect(probe.waitForBytes(6) == Array("hello\r".utf8))
    }

    @Test func secondLinkOnOnePortIsRefusedAsInUse() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let device = try receiver.plug()
        defer { device.close() }
        let first = SerialLinkProbe(path: receiver.path)
        #expect(first.waitForStates(1) == [.connected])
        let second = SerialLinkProbe(path: receiver.path)
        let refused = second.waitForStates(1)
        #expect(refused.first?.reason?.contains("in use") == true)
        // The first link keeps the port, and its bytes.
        try device.write(Array("mine\r".utf8))
        #expect(first.waitForBytes(5) == Array("mine\r".utf8))
        #expect(second.received.isEmpty)
        // Once the first lets go, the second takes over.
        first.link.stop()
        #expect(second.waitForStates(2).last == .connected)
    }

    @Test func stopReturnsPromptlyWhileReading() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let device = try receiver.plug()
        defer { device.close() }
        let probe = SerialLinkProbe(path: receiver.path)
        #expect(probe.waitForStates(1) == [.connected])
        let started = Date()
        probe.link.stop()
        // Generous for a loaded machine: the self-pipe wakes the thread at once.
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(!probe.link.isRunning)
        probe.link.stop()
        // The port and its locks are released: a new link gets it.
        let next = SerialLinkProbe(path: receiver.path)
        #expect(next.waitForStates(1) == [.connected])
    }

    @Test func stopReturnsPromptlyWhileWaitingToReopen() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let probe = SerialLinkProbe(path: receiver.path, reopenDelay: 60)
        #expect(probe.waitForStates(1).first?.reason != nil)
        let started = Date()
        probe.link.stop()
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(!probe.link.isRunning)
    }

    @Test func stopFromTheDecoderDoesNotDeadlock() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let device = try receiver.plug()
        defer { device.close() }
        let holder = Recorder<SerialLink>()
        let link = SerialLink(
            path: receiver.path, settings: SerialSettings(), onState: { _ in },
            onBytes: { _ in
                holder.all.first?.stop()
                return [0x06]
            })
        holder.append(link)
        link.start()
        #expect(SerialTesting.waitUntil { link.state == .connected })
        try device.write([0x31])
        #expect(SerialTesting.waitUntil { !link.isRunning })
        link.stop()
    }

    @Test func restartsAfterStop() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let device = try receiver.plug()
        defer { device.close() }
        let probe = SerialLinkProbe(path: receiver.path)
        #expect(probe.waitForStates(1) == [.connected])
        probe.link.stop()
        probe.link.start()
        #expect(probe.waitForStates(2) == [.connected, .connected])
        try device.write(Array("again".utf8))
        #expect(probe.waitForBytes(5) == Array("again".utf8))
    }

    /// The 0.5 s window is the measurement itself, not a wait for something to happen.
    @Test func idleLinkSleeps() throws {
        let receiver = try Receiver()
        defer { receiver.directory.remove() }
        let device = try receiver.plug()
        defer { device.close() }
        let connected = SerialLinkProbe(path: receiver.path)
        #expect(connected.waitForStates(1) == [.connected])
        let missing = SerialLinkProbe(path: receiver.directory.appending("absent").path, reopenDelay: 1)
        #expect(missing.waitForStates(1).first?.reason != nil)
        let before = (connected.link.loopIterations, missing.link.loopIterations)
        usleep(500_000)
        #expect(connected.link.loopIterations - before.0 <= 3)
        #expect(missing.link.loopIterations - before.1 <= 3)
    }
}
