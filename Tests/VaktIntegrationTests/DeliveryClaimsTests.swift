import Foundation
import Testing
import VaktCore
import VaktStore

@testable import VaktRuntime

/// The dispatcher's guard against starting a notification twice, when it hears of it both
/// from memory and from the outbox.
@Suite struct DeliveryClaimsTests {
    func item(_ key: String, attempts: Int = 0) -> OutboxItem {
        let notification = VaktCore.Notification(
            key: key, alarm: "A1", tier: 0, round: 0, channel: "webhook",
            recipient: Recipient(id: "ns1", name: "Kari", kind: .staff, address: nil), severity: .high,
            alarmKind: "fall", room: "103", title: "Fall", body: "")
        return OutboxItem(notification: notification, attempts: attempts, nextAttemptAt: Date())
    }

    @Test func aCopyInFlightIsRefused() {
        let claims = DeliveryClaims(limit: 8)
        #expect(claims.claim(item("k1")))
        #expect(!claims.claim(item("k1")), "the outbox's copy of the one in flight")
        #expect(claims.claim(item("k2")))
    }

    @Test func aCopyOvertakenByARecordedAttemptIsRefused() {
        let claims = DeliveryClaims(limit: 8)
        let fresh = item("k1")
        #expect(claims.claim(fresh))
        claims.release(fresh, recorded: true)
        // The hand-over's (or an older read's) copy, with no attempt on it: stale.
        #expect(!claims.claim(item("k1", attempts: 0)))
        // The row as the recorded attempt left it (retrying): the next attempt goes.
        let retry = item("k1", attempts: 1)
        #expect(claims.claim(retry))
        claims.release(retry, recorded: true)
        #expect(!claims.claim(item("k1", attempts: 1)))
        #expect(claims.claim(item("k1", attempts: 2)))
    }

    @Test func anAttemptNotOnRecordLeavesTheCopyGood() {
        let claims = DeliveryClaims(limit: 8)
        let fresh = item("k1")
        #expect(claims.claim(fresh))
        claims.release(fresh, recorded: false)  // a full disk: the row still has no attempt
        #expect(claims.claim(item("k1", attempts: 0)))
    }

    @Test func noMoreThanTheLimitAtOnce() {
        let claims = DeliveryClaims(limit: 2)
        #expect(claims.claim(item("k1")))
        #expect(claims.claim(item("k2")))
        #expect(!claims.claim(item("k3")))
        claims.release(item("k1"), recorded: true)
        #expect(claims.claim(item("k3")))
    }

    @Test func recordedAttemptsAreRememberedUpToTheBound() {
        let claims = DeliveryClaims(limit: 8)
        let count = DeliveryClaims.remembered + 1
        for number in 0..<count {
            let attempt = item("k\(number)")
            #expect(claims.claim(attempt))
            claims.release(attempt, recorded: true)
        }
        // The oldest is forgotten; the newest still known.
        #expect(claims.claim(item("k0")))
        #expect(!claims.claim(item("k\(count - 1)")))
    }
}
