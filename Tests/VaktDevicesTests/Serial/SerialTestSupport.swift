import Foundation
import VaktCore

@testable import VaktDevices

#if canImport(Glibc)
    import Glibc
#endif

/// Waits for conditions that other threads make true, instead of sleeping for a guessed time.
enum SerialTesting {
    /// Checks `condition` every 10 ms until it holds; false if it still does not after `timeout`
    /// seconds. The timeout is a safety net for a broken test, not a measurement.
    static func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// The terminal attributes of the tty behind `descriptor`.
    static func attributes(of descriptor: Int32) -> termios? {
        var attributes = termios()
        return tcgetattr(descriptor, &attributes) == 0 ? attributes : nil
    }

    /// `count` bytes of a pattern that is not periodic at any chunk size the kernel uses.
    static func pattern(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 % 251 + $0 / 251) }
    }
}

/// A started `SerialLink` whose states and received bytes are recorded.
///
/// `reply` plays the decoder: given all bytes received so far and the new chunk, it returns the
/// acknowledgement to write, if any. The probe stops its link when it goes away.
final class SerialLinkProbe: @unchecked Sendable {
    let link: SerialLink
    let states = Recorder<SerialLink.State>()
    let chunks = Recorder<[UInt8]>()

    init(
        path: String, settings: SerialSettings = SerialSettings(), reopenDelay: Double = 0.05,
        reply: (@Sendable (_ chunk: [UInt8]) -> [UInt8]?)? = nil
    ) {
        let states = states
        let chunks = chunks
        link = SerialLink(
            path: path, settings: settings, reopenDelay: reopenDelay,
            onState: { states.append($0) },
            onBytes: { chunk in
                chunks.append(chunk)
                return reply?(chunk)
            })
        link.start()
    }

    deinit { link.stop() }

    /// Everything received so far, in order.
    var received: [UInt8] { chunks.all.flatMap { $0 } }

    /// Waits until at least `count` bytes arrived; returns all received.
    @discardableResult
    func waitForBytes(_ count: Int) -> [UInt8] {
        chunks.wait { $0.reduce(0) { $0 + $1.count } >= count }.flatMap { $0 }
    }

    /// Waits until `count` states were reported; returns them all.
    @discardableResult
    func waitForStates(_ count: Int) -> [SerialLink.State] {
        states.wait(count: count)
    }

    /// Waits until the link has gone round its loop `count` more times, so that whatever it
    /// would report by then (a repeated state, say) has been reported.
    func waitForLoops(_ count: Int) -> Bool {
        let start = link.loopIterations
        return SerialTesting.waitUntil { self.link.loopIterations >= start + count }
    }
}

extension SerialLink.State {
    /// The reason of `.disconnected`, nil for `.connected`.
    var reason: String? {
        if case .disconnected(let reason) = self { return reason }
        return nil
    }
}
