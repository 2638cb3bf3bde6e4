import Foundation
import Testing
import VaktCore

/// Silences: who may set them, what they hold back (on record), what they never hold back,
/// and their end.
@Suite("Silences")
struct SilenceTests {
    let t0 = Fixture.t0

    func request(
        _ staff: String, resident: String? = nil, room: String? = nil, kinds: [String]? = nil, hours: Double = 72,
        id: String = "s-1"
    ) -> Input {
        .silence(
            SilenceRequest(
                id: id, staff: staff,
                change: .start(
                    resident: resident, room: room, kinds: kinds, until: nil, seconds: hours * 3600,
                    reason: "sykehusinnleggelse")))
    }

    @Test("only allowed roles may silence; a refusal is audited and answered")
    func roles() {
        var engine = Fixture.engine()
        let refused = engine.handle(request("ns1", resident: "r103"), at: t0)
        #expect(refused.auditActions == [.commandRejected])
        #expect(refused.replies.first?.code == "role-not-allowed")
        #expect(
            refused.replies.first?.message
                == "ns1 (night-staff) may not set silences; allowed roles: nurse-in-charge, operator")
        #expect(engine.silences.isEmpty)
        #expect(engine.handle(request("nobody", resident: "r103"), at: t0).replies.first?.code == "unknown-staff")
        #expect(engine.handle(request("sp1", resident: "r999"), at: t0).replies.first?.code == "unknown-resident")
        #expect(
            engine.handle(request("sp1", resident: "r103", hours: 24 * 61), at: t0).replies.first?.code == "too-long")
        #expect(
            engine.handle(request("sp1", room: "103", kinds: ["smoke"]), at: t0).replies.first?.code == "never-silenced"
        )
    }

    @Test("a silenced resident's alarms are recorded as suppressed, not raised; smoke still raises; it ends on its own")
    func holdsBackAndExpires() throws {
        var site = Fixture.site()
        site.rules.append(
            Rule(id: "smoke", events: [.smokeDetected], alarm: "smoke", severity: .critical, policy: "standard"))
        var engine = Engine(site: site)
        let set = engine.handle(request("sp1", resident: "r103"), at: t0)
        #expect(set.replies.first?.ok == true)
        let silence = try #require(engine.silences.values.first)
        #expect(silence.until == t0 + 72 * 3600 && silence.by == "sp1" && silence.resident == "r103")
        #expect(set.auditActions == [.silenceStarted])
        #expect(set.audits.first?.detail["reason"] == "sykehusinnleggelse")
        let timer = try #require(set.schedules.first)
        #expect(timer.purpose == .silenceEnd && timer.due == silence.until)

        let fall = engine.handle(Fixture.fall(103), at: t0 + 60)
        #expect(fall.savedAlarms.isEmpty)
        #expect(fall.auditActions == [.alarmSuppressed])
        #expect(fall.audits.first?.detail["silence"] == silence.id)
        #expect(fall.audits.first?.detail["resident"] == "r103")
        // Others are not silenced, and smoke never is.
        #expect(engine.handle(Fixture.fall(104), at: t0 + 60).savedAlarms.count == 1)
        #expect(
            engine.handle(Fixture.event(.smokeDetected, "room103-door"), at: t0 + 70).savedAlarms.map(\.kind) == [
                "smoke"
            ])

        // Survives a restart (restored from the store), then runs out by its timer.
        var restarted = Engine(site: site, nextNumber: 3, silences: [silence])
        #expect(restarted.handle(Fixture.fall(103), at: t0 + 100).savedAlarms.isEmpty)
        let ended = restarted.handle(.timer(timer.fire), at: timer.due)
        #expect(ended.contains(.endSilence(id: silence.id)))
        #expect(ended.audits.first?.detail["reason"] == "expired")
        #expect(restarted.handle(Fixture.fall(103), at: timer.due + 1).savedAlarms.count == 1)
    }

    @Test("a room silence with kinds holds back only those; staff may end it early")
    func roomAndKinds() throws {
        var engine = Fixture.engine()
        _ = engine.handle(request("sp1", room: "105", kinds: ["sos"]), at: t0)
        let id = try #require(engine.silences.keys.first)
        #expect(engine.handle(Fixture.event(.sos, "room105-sos"), at: t0 + 1).auditActions == [.alarmSuppressed])
        #expect(engine.handle(Fixture.fall(105), at: t0 + 2).savedAlarms.count == 1)
        let end = SilenceRequest(id: "s-2", staff: "sp1", change: .end(silence: id))
        let ended = engine.handle(.silence(end), at: t0 + 3)
        #expect(ended.cancelledTimers == ["silence:\(id)"])
        #expect(ended.replies.first?.ok == true)
        #expect(engine.handle(Fixture.event(.sos, "room105-sos"), at: t0 + 4).savedAlarms.count == 1)
        #expect(engine.handle(.silence(end), at: t0 + 5).replies.first?.code == "no-silence")
    }

    @Test("a silence request parses from the wire and back; bad ones say why")
    func wire() throws {
        let bytes = Array(
            #"{"id":"x","action":"silence","resident":"r103","minutes":60,"reason":"ferie","kinds":["inactivity"]}"#
                .utf8)
        let parsed = try #require(SilenceRequest.parse(bytes, staff: "sp1"))
        let request = try parsed.get()
        #expect(SilenceRequest.parse(request.encode(), staff: "sp1").map { try? $0.get() } == request)
        let bad: [(String, String)] = [
            (#"{"id":"x","action":"silence","resident":"r1","room":"1","minutes":1,"reason":"a"}"#, "not both"),
            (#"{"id":"x","action":"silence","resident":"r1","minutes":1}"#, "reason"),
            (#"{"id":"x","action":"silence","resident":"r1","reason":"a"}"#, "\"minutes\" or \"until\""),
            (#"{"id":"x","action":"silence","resident":"r1","until":"soon","reason":"a"}"#, "RFC 3339"),
            (#"{"id":"x","action":"unsilence"}"#, "\"silence\""),
        ]
        for (json, says) in bad {
            guard case .failure(let problem)? = SilenceRequest.parse(Array(json.utf8), staff: "sp1") else {
                Issue.record("accepted \(json)")
                continue
            }
            #expect(problem.reason.contains(says), "\(problem.reason)")
        }
        #expect(SilenceRequest.parse(Array(#"{"id":"x","action":"ack","alarm":"A1"}"#.utf8), staff: "sp1") == nil)
    }
}
