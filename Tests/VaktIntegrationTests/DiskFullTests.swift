import Foundation
import Testing
import VaktStore
import VaktTesting

/// "Bad input loses nothing" for the worst moment of all: a message that arrives while the
/// hub cannot write. The fault is real and made on demand: the running hub's file size limit
/// (RLIMIT_FSIZE, set with `prlimit`) is lowered so every write SQLite makes fails, as on a
/// full disk, then raised again.
@Suite(.serialized)
struct DiskFullTests {
    private func setFileSizeLimit(of process: ChildProcess, to limit: String) throws {
        let prlimit = try ChildProcess(
            "/usr/bin/prlimit", ["--pid", "\(process.process.processIdentifier)", "--fsize=\(limit):unlimited"])
        guard prlimit.wait() == 0 else { throw TestSupportError("prlimit failed: \(prlimit.output)") }
    }

    @Test func aMessageThatCannotBeStoredStaysOnTheBrokerAndComesAgain() throws {
        let running = try RunningHub()
        defer { running.close() }
        let (broker, receiver, site, hub) = running.parts
        let state = try subscribe(broker, "vakt/marker/hub/state")
        defer { state.stop() }
        try state.waitForLine(containing: "online")

        try setFileSizeLimit(of: hub, to: "1")
        try publish(broker, "zigbee2mqtt/room102/sos", Payloads.sosPress)
        try hub.waitForLine(containing: "could not record message on zigbee2mqtt/room102/sos")
        // Not on disk, so the hub cut the connection before its PUBACK: the broker published
        // the hub's will and keeps the press in the hub's session.
        try state.waitForLine(containing: "offline")
        #expect(hub.isRunning, "the hub keeps running")

        try setFileSizeLimit(of: hub, to: "unlimited")
        // Held, unacknowledged, on the network thread and tried every second: taken once the
        // store writes again. Then libmosquitto reconnects, and the broker's redelivery of the
        // press is dropped as the duplicate it is.
        try hub.waitForLine(containing: "the store takes writes again after")
        try hub.waitForLine(containing: "alarm A1 raised")
        // No reconnecting while held, so the broker did not hand the press over again and
        // again, each refused and logged.
        #expect(hub.output.filter { $0.contains("could not record message") }.count == 1)
        let requests = try receiver.waitForRequests(count: 2)
        #expect(requests.allSatisfy { ($0["alarm"] as? [String: Any])?["room"] as? String == "102" })
        #expect(hub.stop() == 0)

        let store = try Store(directory: site.dataPath)
        #expect(try store.eventCounts() == ["accepted": 1], "one press, stored once")
        #expect(try store.alarms(includeResolved: true).map(\.room) == ["102"])
        guard case .intact = try store.verifyAudit() else {
            Issue.record("audit chain broken")
            return
        }
    }
}
