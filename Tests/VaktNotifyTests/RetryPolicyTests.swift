import Testing
import VaktCore
import VaktNotify

@Suite struct RetryPolicyTests {
    @Test func delaysDoubleFromTwoSecondsAndCapAtSixty() {
        let policy = RetryPolicy(maxAttempts: 10)
        #expect((1...9).map { policy.delay(afterAttempt: $0) } == [2, 4, 8, 16, 32, 60, 60, 60, 60])
        #expect(policy.delay(afterAttempt: 1_000) == 60)
        #expect(policy.delay(afterAttempt: 0) == 2)
    }

    @Test func customParameters() {
        let policy = RetryPolicy(initialDelay: 1, multiplier: 3, maximumDelay: 20, maxAttempts: 4)
        #expect((1...4).map { policy.delay(afterAttempt: $0) } == [1, 3, 9, 20])
    }

    @Test func aRetryableFailureIsFinalOnlyAfterMaxAttempts() {
        let policy = RetryPolicy(channel: Channel(id: "c", kind: .webhook, url: "http://x/", maxAttempts: 3))
        #expect(policy.maxAttempts == 3)
        let failure = DeliveryResult.failed(reason: "HTTP 503", retryable: true)
        #expect(!policy.isFinal(attempt: 1, result: failure))
        #expect(!policy.isFinal(attempt: 2, result: failure))
        #expect(policy.isFinal(attempt: 3, result: failure))
        #expect(policy.isFinal(attempt: 4, result: failure))
    }

    @Test func aPermanentFailureIsFinalAtOnce() {
        let policy = RetryPolicy(maxAttempts: 8)
        #expect(policy.isFinal(attempt: 1, result: .failed(reason: "HTTP 400", retryable: false)))
    }

    @Test func deliveryIsFinal() {
        #expect(RetryPolicy(maxAttempts: 8).isFinal(attempt: 1, result: .delivered))
    }

    @Test func fewerThanOneAttemptMeansOne() {
        #expect(RetryPolicy(maxAttempts: 0).isFinal(attempt: 1, result: .failed(reason: "x", retryable: true)))
    }
}
