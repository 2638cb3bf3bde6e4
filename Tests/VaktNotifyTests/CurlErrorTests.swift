import Testing
import VaktNotify

@Suite struct CurlErrorTests {
    @Test func catchesByCode() {
        func fail() throws { throw CurlError.operationTimedout }
        do {
            try fail()
            Issue.record("must throw")
        } catch CurlError.couldntConnect {
            Issue.record("wrong code matched")
        } catch CurlError.operationTimedout {
            // expected
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func describesWithLibcurlsTextAndCode() {
        #expect(CurlError.couldntConnect.rawValue == 7)
        #expect(CurlError.couldntConnect.description == "Couldn't connect to server (curl error 7)")
        #expect(CurlError(rawValue: 28) == .operationTimedout)
    }

    @Test func networkErrorsAreRetryableAndConfigurationErrorsAreNot() {
        for error in [CurlError.couldntConnect, .couldntResolveHost, .operationTimedout, .gotNothing, .recvError] {
            #expect(error.isRetryable, "\(error)")
        }
        for error in [CurlError.urlMalformat, .unsupportedProtocol, .peerFailedVerification] {
            #expect(!error.isRetryable, "\(error)")
        }
    }
}
