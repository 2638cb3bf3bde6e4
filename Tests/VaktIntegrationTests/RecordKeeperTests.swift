import Foundation
import Logging
import Testing
import VaktConfig
import VaktCore
import VaktRuntime
import VaktStore
import VaktTesting

/// A hub on a copy of the demo site and a real store, with a manual clock and no services
/// running: the test drives it.
func quietHub() throws -> (DemoSiteCopy, ManualClock, Store, Hub) {
    let site = try DemoSiteCopy(webhookURL: "http://127.0.0.1:9/unused")
    let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_655_640))
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let store = try Store(directory: site.dataPath)
    let hub = try Hub(site: try SiteLoader.load(directory: site.configPath), store: store, clock: clock, logger: logger)
    return (site, clock, store, hub)
}

/// The record keeper on a real store with a manual clock: checkpoints when the chain has
/// grown and one is due, and wall-clock steps put on record.
@Suite struct RecordKeeperTests {
    @Test func checkpointsWhenDueAndRecordsClockSteps() throws {
        let (site, clock, store, hub) = try quietHub()
        defer { site.remove() }
        let keeper = RecordKeeper(hub: hub)
        let file = hub.checkpointFile
        #expect(file == site.dataPath + "/audit-checkpoint.json")

        // Nothing recorded yet: nothing to write down.
        try keeper.pass()
        #expect(!FileManager.default.fileExists(atPath: file))

        try store.appendAudit(AuditEntry(at: clock.now(), actor: "hub", action: .hubStarted))
        try keeper.pass()
        #expect(try AuditCheckpoint.read(file: file).seq == 1)

        // Grown, but not due for another five minutes.
        try store.appendAudit(AuditEntry(at: clock.now(), actor: "hub", action: .hubStopped))
        clock.advance(by: 10)
        try keeper.pass()
        #expect(try AuditCheckpoint.read(file: file).seq == 1)
        clock.advance(by: 300)
        try keeper.pass()
        let second = try AuditCheckpoint.read(file: file)
        #expect(second.seq == 2)
        #expect(second.hash == (try store.auditHead())?.hash)
        #expect(second.site == "marker")

        // The wall clock jumps an hour back: on record, once; ordinary ticks are not steps.
        clock.stepWall(by: -3600)
        try keeper.pass()
        clock.advance(by: 10)
        try keeper.pass()
        let steps = try store.auditRecords().filter { $0.action == AuditAction.clockJumped.rawValue }
        #expect(steps.count == 1)
        #expect(steps.first?.detail["wall_step_seconds"] == "-3600")
        let verification = try store.verifyAudit(checkpoint: try AuditCheckpoint.read(file: file))
        #expect(verification == .intact(count: 3, lastHash: try #require(try store.auditHead()).hash))
    }

    @Test func clockWatchIgnoresDriftAndCatchesSteps() {
        var watch = ClockWatch()
        let start = Date(timeIntervalSince1970: 1_795_655_640)
        #expect(watch.look(wall: start, monotonic: 100) == nil)
        #expect(watch.look(wall: start.addingTimeInterval(10.5), monotonic: 110) == nil)
        #expect(watch.look(wall: start.addingTimeInterval(20.5 + 3600), monotonic: 120) == 3600)
        // Not yet recorded (the commit failed): the next look still sees it.
        #expect(watch.look(wall: start.addingTimeInterval(30.5 + 3600), monotonic: 130) == 3600)
        watch.accept(wall: start.addingTimeInterval(30.5 + 3600), monotonic: 130)
        #expect(watch.look(wall: start.addingTimeInterval(40.5 + 3600), monotonic: 140) == nil)
        #expect(watch.look(wall: start.addingTimeInterval(50.5 + 3600 - 7), monotonic: 150) == -7)
    }
}

/// A wall-clock step made while the hub was stopped, told from time that passed by the clocks
/// the hub wrote down before it stopped.
@Suite struct ClockStepWhileStoppedTests {
    @Test func aStepWhileStoppedMovesTheTimersAtStartAndARebootDoesNot() throws {
        let (site, clock, store, hub) = try quietHub()
        defer { site.remove() }
        try hub.handle([.device(DeviceEvent(kind: .fallDetected, device: "room103-fall", raw: "fall"))])
        let due = try #require(try store.pendingTimers().first?.due)
        try hub.writeClockReference()

        // Stopped; 30 s pass, and the wall clock is set an hour ahead meanwhile.
        clock.advance(by: 30)
        clock.stepWall(by: 3600)
        let restarted = try Hub(site: hub.site, store: store, clock: clock, logger: Logger(label: "test"))
        try restarted.noticeClockStepWhileStopped()
        #expect(try store.pendingTimers().first?.due == due.addingTimeInterval(3600))
        let step = try #require(try store.auditRecords().last { $0.action == AuditAction.clockJumped.rawValue })
        #expect(step.detail["wall_step_seconds"] == "3600")
        #expect(step.detail["noticed"] == "stopped")
        // Not due early: the escalation is still 90 s away.
        try restarted.fireDueTimers()
        #expect(restarted.openAlarms.first?.tier == 0)

        // After a reboot the monotonic clock starts afresh: nothing can be told, nothing moves.
        clock.reboot()
        clock.stepWall(by: 600)
        let rebooted = try Hub(site: hub.site, store: store, clock: clock, logger: Logger(label: "test"))
        try rebooted.noticeClockStepWhileStopped()
        #expect(try store.pendingTimers().first?.due == due.addingTimeInterval(3600))
        #expect(try store.auditRecords().filter { $0.action == AuditAction.clockJumped.rawValue }.count == 1)

        // On the new boot, NTP sets the clock an hour ahead. The escalation written before the
        // reboot stays put (what the clock read then is unknown: it fires when its instant
        // comes, never an hour later); the one written since moves and keeps its delay.
        try rebooted.handle([.device(DeviceEvent(kind: .fallDetected, device: "room101-fall", raw: "fall"))])
        let fresh = try #require(try store.pendingTimers().first { $0.id != "A1:escalate" })
        clock.stepWall(by: 3600)
        try rebooted.fireDueTimers()
        let timers = try store.pendingTimers()
        // A1 fell due at the step and escalated at once; its next tier is five minutes on.
        #expect(timers.first { $0.id == "A1:escalate" }?.due == clock.now().addingTimeInterval(300))
        #expect(timers.first { $0.id == fresh.id }?.due == fresh.due.addingTimeInterval(3600))
        let ntp = try #require(try store.auditRecords().last { $0.action == AuditAction.clockJumped.rawValue })
        #expect(ntp.detail["timers_moved"] == "1")
        #expect(ntp.detail["timers_kept"] == "1")
        #expect(rebooted.openAlarms.map(\.tier) == [1, 0])
    }

    @Test func aRestartOnTheSameBootRemembersThatTheClockWasNotYetSet() throws {
        let (site, clock, store, hub) = try quietHub()
        defer { site.remove() }
        try hub.handle([.device(DeviceEvent(kind: .fallDetected, device: "room103-fall", raw: "fall"))])
        try hub.writeClockReference()

        // A reboot with the clock behind; the hub starts, then restarts (a crash, an upgrade)
        // before NTP has set the clock: the second start must still not trust it.
        clock.reboot()
        let first = try Hub(site: hub.site, store: store, clock: clock, logger: Logger(label: "test"))
        try first.noticeClockStepWhileStopped()
        clock.advance(by: 5)
        let second = try Hub(site: hub.site, store: store, clock: clock, logger: Logger(label: "test"))
        try second.noticeClockStepWhileStopped()
        let due = try #require(try store.pendingTimers().first?.due)
        clock.stepWall(by: 3600)
        try second.fireDueTimers()
        let ntp = try #require(try store.auditRecords().last { $0.action == AuditAction.clockJumped.rawValue })
        #expect(ntp.detail["timers_kept"] == "1")
        #expect(second.openAlarms.first?.tier == 1, "the escalation from before the reboot fired, not an hour on")
        #expect(try store.pendingTimers().first?.due != due.addingTimeInterval(3600))

        // Once the clock has been set, the next step moves everything again.
        let third = try Hub(site: hub.site, store: store, clock: clock, logger: Logger(label: "test"))
        try third.noticeClockStepWhileStopped()
        let next = try #require(try store.pendingTimers().first?.due)
        clock.stepWall(by: -600)
        try third.fireDueTimers()
        #expect(try store.pendingTimers().first?.due == next.addingTimeInterval(-600))
    }
}

/// The watchdog's test of health on a real store with a manual clock: fed while timers fire,
/// not fed once one is more than a minute past due.
@Suite struct WatchdogHealthTests {
    @Test func aTimerLeftPastDueStopsTheBeats() throws {
        let (site, clock, _, hub) = try quietHub()
        defer { site.remove() }
        #expect(hub.isResponsive())

        // A fall: its escalation is due in 2 minutes. No timer service runs here, as if stuck.
        try hub.handle([.device(DeviceEvent(kind: .fallDetected, device: "room103-fall", raw: "fall"))])
        clock.advance(by: 120 + 60)
        #expect(hub.isResponsive(), "a minute past due is still within the allowance")
        clock.advance(by: 1)
        #expect(!hub.isResponsive())
        // Fired, the hub is healthy again (the next escalation is due in the future).
        try hub.fireDueTimers()
        #expect(hub.isResponsive())
        #expect(hub.openAlarms.first?.tier == 1)
    }
}
