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

    @Test func theKeysUpdatedLongestAgoAreForgottenFirst() {
        let claims = DeliveryClaims(limit: 8)
        // k0 first, then 1,023 others; then k0 again (a retry recorded): k1 is now the oldest.
        for number in 0..<DeliveryClaims.remembered {
            let attempt = item("k\(number)")
            #expect(claims.claim(attempt))
            claims.release(attempt, recorded: true)
        }
        let retry = item("k0", attempts: 1)
        #expect(claims.claim(retry))
        claims.release(retry, recorded: true)
        let newest = item("k-new")
        #expect(claims.claim(newest))
        claims.release(newest, recorded: true)
        #expect(!claims.claim(item("k0", attempts: 1)), "k0 was updated lately: still remembered")
        #expect(claims.claim(item("k1")), "k1 was the oldest: forgotten")
    }

    @Test func aStaleAttemptNeverLowersWhatIsRemembered() {
        let claims = DeliveryClaims(limit: 8)
        let second = item("k1", attempts: 1)
        #expect(claims.claim(second))
        claims.release(second, recorded: true)  // two attempts on record
        // A stale copy at 0 got through somehow; the store refused its record (reported as
        // on record so the memory moves on), which must not bring the count down to one.
        let stale = item("k1", attempts: 0)
        claims.release(stale, recorded: true)
        #expect(!claims.claim(item("k1", attempts: 1)))
        #expect(claims.claim(item("k1", attempts: 2)))
    }
}
