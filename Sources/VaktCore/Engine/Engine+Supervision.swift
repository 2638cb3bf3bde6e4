import Foundation

/// Supervision: hearing from devices, their explicit availability, their silence.
///
/// Technical conditions become ordinary events (`device.silent`, `battery.low`, `tamper`,
/// `bridge.offline`, ...) that the site's rules turn into technical alarms, and their recovery
/// events (`device.online`, `battery.ok`, `tamper.cleared`, `bridge.online`) clear them.
/// Conditions are edge-triggered: a device that reports `battery_low: true` in every message
/// yields one `battery.low` until its battery is changed.
extension Engine {
    /// A source's silence limit and the event its silence raises; `nil` when unsupervised.
    public func silenceLimit(of id: String) -> (seconds: Double, event: EventKind)? {
        if let device = site.device(id) {
            let profile = site.profiles[device.profile]
            guard let seconds = device.maxSilence ?? profile?.supervision.maxSilence, seconds > 0 else { return nil }
            return (seconds, profile?.supervision.silentEvent ?? .deviceSilent)
        }
        if let bridge = site.bridge(id) {
            var seconds = bridge.maxSilence
            if seconds == nil, case .receiver(let profile, _) = bridge.kind {
                seconds = site.profiles[profile]?.supervision.maxSilence
            }
            guard let seconds, seconds > 0 else { return nil }
            return (seconds, .bridgeOffline)
        }
        return nil
    }

    /// The instant the next supervised source falls silent, if nothing is heard from it, or a
    /// device's proof expires; `now` when a source has never been watched (its watch must start).
    public func nextSupervisionDeadline(now: Date) -> Date? {
        var next: Date?
        for device in site.devices {
            guard let due = proofDeadline(of: device) else { continue }
            if next.map({ due < $0 }) ?? true { next = due }
        }
        for id in supervisedIDs() {
            guard let limit = silenceLimit(of: id) else { continue }
            guard let state = sources[id] else { return now }
            guard !state.silent, state.online != false, !isHeldBack(id) else { continue }
            let due = silenceStart(of: state).addingTimeInterval(limit.seconds)
            if next.map({ due < $0 }) ?? true { next = due }
        }
        if let due = nextInactivityDeadline(now: now), next.map({ due < $0 }) ?? true { next = due }
        return next
    }

    private func supervisedIDs() -> [String] { site.bridges.map(\.id) + site.devices.map(\.id) }

    /// A source's stored health, or a fresh one watched from `now`.
    func state(of id: String, at now: Date) -> SourceState {
        sources[id] ?? SourceState(id: id, watchedSince: now)
    }

    private func isBridge(_ id: String) -> Bool { site.bridge(id) != nil }

    /// A device behind a bridge that is offline or silent: its own silence and offline reports
    /// are held back, the bridge's alarm stands for them.
    private func isHeldBack(_ id: String) -> Bool {
        guard let device = site.device(id), let bridge = site.bridge(of: device), let state = sources[bridge.id]
        else { return false }
        return state.online == false || state.silent
    }

    /// Silence counts from the last word, or from when watching began, or from the bridge's
    /// return, or from when the hub last started, whichever is latest: the hub's own downtime is
    /// not the devices' silence (it is in the audit as a start without a stop).
    private func silenceStart(of state: SourceState) -> Date {
        var start = state.lastSeen ?? state.watchedSince
        if let resumedAt, resumedAt > start { start = resumedAt }
        if let device = site.device(state.id), let bridge = site.bridge(of: device),
            let back = sources[bridge.id]?.onlineSince, back > start
        {
            start = back
        }
        return start
    }

    mutating func handleReport(_ report: DeviceReport, at now: Date) -> [Effect] {
        var state = state(of: report.source, at: now)
        var events: [DeviceEvent] = []
        var heldBackBridge: String?
        // Retained state replayed by the broker is not the device speaking now.
        if !report.retained {
            if state.silent || state.online == false {
                let kind: EventKind = isBridge(report.source) ? .bridgeOnline : .deviceOnline
                events.append(DeviceEvent(kind: kind, device: report.source, raw: "heard from again"))
                if isBridge(report.source) {
                    state.onlineSince = now
                    heldBackBridge = report.source
                }
            }
            state.silent = false
            state.online = true
            state.lastSeen = now
        }
        if let digest = report.digest { state.lastDigest = digest }
        let explicitBattery = report.events.contains { $0.kind == .batteryLow || $0.kind == .batteryOK }
        for var event in report.events {
            if report.reconciled { event.detail["reconciled"] = "true" }
            switch event.kind {
            case .batteryLevel:
                events.append(event)
                guard let value = event.value else { continue }
                let percent = Int(value.rounded())
                state.battery = percent
                if explicitBattery { continue }
                if !state.lowBattery, percent <= SourceState.lowBatteryPercent {
                    state.lowBattery = true
                    events.append(DeviceEvent(kind: .batteryLow, device: event.device, value: value, raw: event.raw))
                } else if state.lowBattery, percent >= SourceState.batteryOKPercent {
                    state.lowBattery = false
                    events.append(DeviceEvent(kind: .batteryOK, device: event.device, value: value, raw: event.raw))
                }
            case .batteryLow, .batteryOK:
                let low = event.kind == .batteryLow
                if state.lowBattery != low {
                    state.lowBattery = low
                    events.append(event)
                }
            case .tamper, .tamperCleared:
                let tampered = event.kind == .tamper
                if state.tampered != tampered {
                    state.tampered = tampered
                    events.append(event)
                }
            default:
                // A unit reporting one of its sensors lost (Contact ID 381) raises its alarm, but
                // the unit itself is speaking: its own health is untouched, and the sensor's
                // restore (a `device.online` from the code table) clears the alarm.
                events.append(event)
            }
        }
        sources[report.source] = state
        var effects: [Effect] = [.saveSource(state)] + events.flatMap { handleDevice($0, at: now) }
        if let heldBackBridge { effects += raiseHeldBack(behind: heldBackBridge, at: now) }
        return effects
    }

    mutating func handleAvailability(source: String, online: Bool, reason: String, at now: Date) -> [Effect] {
        var state = state(of: source, at: now)
        let wasOnline = state.online
        // Only a change counts. A repeated "online" (zigbee2mqtt's retained availability after a
        // reconnect, a serial port opening) says nothing about a device that fell silent: it
        // takes a message from the device to clear that.
        guard wasOnline != online else { return [] }
        state.online = online
        if online {
            state.lastSeen = now
            if isBridge(source) { state.onlineSince = now }
        }
        sources[source] = state
        var effects: [Effect] = [.saveSource(state)]
        // First news of a source being online recovers nothing; a device behind a bridge that
        // is already down says nothing new by going offline (it is raised when the bridge is back).
        if online, wasOnline == nil, !state.silent { return effects }
        if !online, isHeldBack(source) { return effects }
        let bridge = isBridge(source)
        let kind: EventKind =
            bridge ? (online ? .bridgeOnline : .bridgeOffline) : (online ? .deviceOnline : .deviceOffline)
        effects += handleDevice(DeviceEvent(kind: kind, device: source, raw: reason), at: now)
        if bridge, online { effects += raiseHeldBack(behind: source, at: now) }
        return effects
    }

    /// A bridge is back: devices that went offline while it was down were held back; now they
    /// are raised.
    private mutating func raiseHeldBack(behind id: String, at now: Date) -> [Effect] {
        guard let bridge = site.bridge(id) else { return [] }
        var effects: [Effect] = []
        for device in site.devices(behind: bridge) where sources[device.id]?.online == false {
            effects += handleDevice(
                DeviceEvent(kind: .deviceOffline, device: device.id, raw: "offline while \(id) was down"), at: now)
        }
        return effects
    }

    mutating func handleRejected(source: String, reason: String, at now: Date) -> [Effect] {
        var state = state(of: source, at: now)
        state.rejected += 1
        state.lastRejection = reason
        state.lastRejectionAt = now
        sources[source] = state
        return [.saveSource(state)]
    }

    mutating func handleInventory(bridge id: String, problems: [String: String], at now: Date) -> [Effect] {
        guard let bridge = site.bridge(id) else { return [] }
        var effects: [Effect] = []
        for device in site.devices(behind: bridge) {
            var state = state(of: device.id, at: now)
            guard state.warning != problems[device.id] else { continue }
            state.warning = problems[device.id]
            sources[device.id] = state
            effects.append(.saveSource(state))
        }
        return effects
    }

    /// When a device's chain proof expires, unless proven again; `nil` when it has no maximum
    /// proof age, has already expired, or is not watched yet.
    private func proofDeadline(of device: Device) -> Date? {
        guard let maxAge = proofMaxAge(of: device), let state = sources[device.id], !state.proofExpired,
            let start = state.chainProvenAt ?? state.proofSince
        else { return nil }
        return start.addingTimeInterval(maxAge)
    }

    /// The device's maximum proof age, when it has one and can prove its chain at all: a device
    /// whose profile yields no event a care rule raises on (a door contact with no door rule)
    /// can never be proven, so its age is shown but never alarmed.
    public func proofMaxAge(of device: Device) -> Double? {
        guard provableProfiles.contains(device.profile), let maxAge = site.proof.maxAge(profile: device.profile),
            maxAge > 0
        else { return nil }
        return maxAge
    }

    /// The profiles whose devices can raise a care alarm, so can have their chain proven.
    static func provableProfiles(of site: Site) -> Set<String> {
        let careEvents = Set(site.rules.filter { !$0.isTechnical }.flatMap(\.events))
        return Set(site.profiles.values.filter { !$0.yieldableEvents.isDisjoint(with: careEvents) }.map(\.id))
    }

    /// An alarm raised by the device was answered by a person: its whole chain (sensor,
    /// transport, rules, notification, the person) is proven now. Technical alarms do not count:
    /// they prove the notification path, not the sensor's.
    mutating func proveChain(_ alarm: Alarm, by staff: String, at now: Date) -> [Effect] {
        guard site.device(alarm.device) != nil,
            site.rules.first(where: { $0.id == alarm.rule })?.isTechnical == false
        else { return [] }
        var state = state(of: alarm.device, at: now)
        state.chainProvenAt = now
        state.chainProof = "\(alarm.id) (\(alarm.kind)\(alarm.isTest ? ", test" : "")) answered by \(staff)"
        state.chainProofKind = alarm.isTest ? "test" : "alarm"
        let renewed = state.proofExpired
        state.proofExpired = false
        sources[alarm.device] = state
        var effects: [Effect] = [.saveSource(state)]
        if renewed {
            effects += handleDevice(
                DeviceEvent(kind: .proofRenewed, device: alarm.device, raw: state.chainProof), at: now)
        }
        // The test answered, the room's test is done: whatever it raises now is real.
        if alarm.isTest {
            effects += endTest(room: alarm.room, actor: "staff:\(staff)", reason: "test \(alarm.id) answered", at: now)
        }
        return effects
    }

    /// Raises `proof.expired` for devices whose last proof is older than their maximum age.
    private mutating func expireProofs(at now: Date) -> [Effect] {
        var effects: [Effect] = []
        for device in site.devices {
            guard let due = proofDeadline(of: device), now >= due, var state = sources[device.id] else { continue }
            state.proofExpired = true
            sources[device.id] = state
            effects.append(.saveSource(state))
            let since = state.chainProvenAt.map { "last proven \(RFC3339.string(from: $0, in: site.timeZone))" }
            effects += handleDevice(
                DeviceEvent(
                    kind: .proofExpired, device: device.id, raw: since ?? "never proven",
                    detail: ["max_age": String(Int(proofMaxAge(of: device) ?? 0)) + "s"]),
                at: now)
        }
        return effects
    }

    /// Starts watching sources never watched, and raises the silence of those past their limit:
    /// bridges first, so devices behind a bridge that just fell silent are held back. Then
    /// expired proofs.
    mutating func handleSupervise(at now: Date) -> [Effect] {
        var effects: [Effect] = []
        // Proof age counts from when it is first watched (also for devices stored before proof
        // ages existed: an upgrade does not expire them all at once).
        for device in site.devices where proofMaxAge(of: device) != nil && sources[device.id]?.proofSince == nil {
            var state = state(of: device.id, at: now)
            state.proofSince = now
            sources[device.id] = state
            effects.append(.saveSource(state))
        }
        for id in supervisedIDs() {
            guard let limit = silenceLimit(of: id) else { continue }
            guard var state = sources[id] else {
                let state = SourceState(id: id, watchedSince: now)
                sources[id] = state
                effects.append(.saveSource(state))
                continue
            }
            guard !state.silent, state.online != false, !isHeldBack(id) else { continue }
            let start = silenceStart(of: state)
            guard now >= start.addingTimeInterval(limit.seconds) else { continue }
            state.silent = true
            sources[id] = state
            effects.append(.saveSource(state))
            let heard = state.lastSeen.map { "last heard \(RFC3339.string(from: $0, in: site.timeZone))" }
            effects += handleDevice(
                DeviceEvent(
                    kind: limit.event, device: id, raw: heard ?? "never heard",
                    detail: ["max_silence": String(Int(limit.seconds)) + "s"]),
                at: now)
        }
        forgetOldResolved(at: now)
        return effects + expireProofs(at: now) + checkInactivity(at: now)
    }
}
