import Foundation

/// Collects values from callbacks on other threads; a test waits for what it expects.
final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [Value] = []

    func append(_ value: Value) {
        condition.withLock {
            values.append(value)
            condition.broadcast()
        }
    }

    var all: [Value] { condition.withLock { values } }

    /// Waits until `done` holds for the values so far; returns them either way. The timeout
    /// is a safety net for a broken test, not a measurement.
    @discardableResult
    func wait(timeout: TimeInterval = 20, until done: ([Value]) -> Bool) -> [Value] {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !done(values) {
            if !condition.wait(until: deadline) { break }
        }
        return values
    }

    /// Waits until at least `count` values arrived.
    @discardableResult
    func wait(count: Int, timeout: TimeInterval = 20) -> [Value] {
        wait(timeout: timeout) { $0.count >= count }
    }
}
