import Foundation

/// Test mode: staff put a room in test mode to prove its devices' chains on purpose. An alarm a
/// device raises meanwhile is a chain test: it travels the real path (decode, rules,
/// notification, a person's answer), marked as a test, under the test policy, never to next of
/// kin. Test mode ends on its own when its time is up.
extension Engine {
    /// Whether alarms the device raises now are chain tests.
    public func isInTestMode(_ device: String, at now: Date) -> Bool {
        sources[device]?.testUntil.map { $0 > now } ?? false
    }

    private func testTimerID(_ room: String) -> String { "test:\(room)" }

    /// Whether an event the rule raises from the device is a chain test: the room is in test
    /// mode, a test policy exists, the rule is about care, and the device has not raised its
    /// test yet, or this event repeats that test while it is open. Anything else during the
    /// window is real: a fall after the test button was pressed is a fall.
    func isChainTest(_ device: String, rule: Rule, at now: Date) -> Bool {
        guard !rule.isTechnical, site.proof.testPolicy != nil, isInTestMode(device, at: now),
            let state = sources[device]
        else { return false }
        guard let raised = state.testAlarm else { return true }
        return openAlarms[raised].map { $0.kind == rule.alarm && $0.isTest } ?? false
    }

    mutating func handleTestMode(_ request: TestModeRequest, at now: Date) -> [Effect] {
        var request = request
        let refuse = { (reason: String, code: String) -> [Effect] in
            Self.refusal(
                staff: request.staff, request: request.id, action: request.seconds == nil ? "test-end" : "test-start",
                reason: reason, code: code,
                detail: request.device.map { ["device": $0] } ?? ["room": request.room], at: now)
        }
        // One device: its room is where the test happens, and only it is tested.
        var only: Device?
        if let id = request.device {
            guard let device = site.device(id) else { return refuse("no device '\(id)'", "unknown-device") }
            only = device
            request.room = device.room
        }
        guard site.staffMember(request.staff) != nil else {
            return refuse("unknown staff id '\(request.staff)'", "unknown-staff")
        }
        guard site.room(request.room) != nil else { return refuse("no room '\(request.room)'", "unknown-room") }
        let devices = only.map { [$0] } ?? site.devices.filter { $0.room == request.room }
        guard !devices.isEmpty else { return refuse("room \(request.room) has no devices", "no-devices") }
        let texts = Messages(site: site)
        guard let seconds = request.seconds else {
            guard devices.contains(where: { isInTestMode($0.id, at: now) }) else {
                return refuse("room \(request.room) is not in test mode", "not-in-test")
            }
            return endTest(room: request.room, actor: "staff:\(request.staff)", reason: "ended by staff", at: now)
                + [
                    .reply(
                        CommandReply(
                            id: request.id, staff: request.staff, ok: true,
                            message: "room \(request.room) is out of test mode"))
                ]
        }
        guard site.proof.testPolicy != nil else {
            return refuse("no test policy is configured (proof: test_policy:)", "no-test-policy")
        }
        // A real alarm in the room comes first: a test now could be mistaken for its follow-up.
        let careRules = Set(site.rules.filter { !$0.isTechnical }.map(\.id))
        if let open = openAlarms.values.first(where: {
            $0.room == request.room && !$0.isTest && careRules.contains($0.rule)
        }) {
            return refuse("room \(request.room) has an open alarm \(open.id); answer it first", "open-alarm")
        }
        let until = now.addingTimeInterval(min(seconds, site.proof.maxTestDuration))
        var effects: [Effect] = []
        for device in devices {
            var state = state(of: device.id, at: now)
            state.testUntil = until
            state.testAlarm = nil
            sources[device.id] = state
            effects.append(.saveSource(state))
        }
        effects.append(
            .audit(
                AuditEntry(
                    at: now, actor: "staff:\(request.staff)", action: .testStarted,
                    detail: [
                        "room": request.room, "until": RFC3339.string(from: until, in: site.timeZone),
                        "scope": only.map { "device \($0.id)" } ?? "room",
                        "devices": devices.map(\.id).joined(separator: ","), "request": request.id,
                    ])))
        effects.append(
            .schedule(
                ScheduledTimer(
                    id: testTimerID(request.room), alarm: "room:\(request.room)", purpose: .testEnd, due: until)
            ))
        effects.append(
            .reply(
                CommandReply(
                    id: request.id, staff: request.staff, ok: true,
                    message: only.map { "device \($0.id) is in test mode until \(texts.clock(until))" }
                        ?? "room \(request.room) is in test mode until \(texts.clock(until))")))
        return effects
    }

    /// Takes a room out of test mode; audited with who or what ended it.
    mutating func endTest(room: String, actor: String, reason: String, at now: Date) -> [Effect] {
        var effects: [Effect] = []
        for device in site.devices where device.room == room {
            guard var state = sources[device.id], state.testUntil != nil else { continue }
            state.testUntil = nil
            state.testAlarm = nil
            sources[device.id] = state
            effects.append(.saveSource(state))
        }
        guard !effects.isEmpty else { return [] }
        effects.append(
            .audit(AuditEntry(at: now, actor: actor, action: .testEnded, detail: ["room": room, "reason": reason])))
        effects.append(.cancelTimer(id: testTimerID(room)))
        return effects
    }
}
