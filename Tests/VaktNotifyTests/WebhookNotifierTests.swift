import Foundation
import Testing
import VaktCore
import VaktNotify
import VaktTesting

/// Webhook specifics beyond the shared contract: status codes, headers, configuration.
@Suite struct WebhookNotifierTests {
    func channel(_ url: String, headers: [String: String] = [:]) -> Channel {
        Channel(id: "staff-phones", kind: .webhook, url: url, headers: headers, timeoutSeconds: 5, maxAttempts: 3)
    }

    @Test(arguments: [
        (408, true), (429, true), (500, true), (502, true), (503, true), (400, false),
        (401, false), (403, false), (404, false), (410, false), (422, false), (301, false),
    ])
    func statusCodes(status: Int, retryable: Bool) async throws {
        let receiver = try WebhookReceiver(arguments: ["--fail-first", "1", "--status", String(status)])
        defer { receiver.stop() }
        let notifier = try WebhookNotifier(channel: channel(receiver.url), secrets: SecretResolver())
        let result = await notifier.deliver(Fixtures.notification(), site: Fixtures.site)
        guard case .failed(let reason, let isRetryable) = result else {
            Issue.record("HTTP \(status) must fail, got \(result)")
            return
        }
        #expect(isRetryable == retryable)
        #expect(reason.hasPrefix("HTTP \(status)"), "\(reason)")
        #expect(reason.contains(#""status":\#(status)"#), "the reason quotes the response body: \(reason)")
        // The receiver answers 200 from the second request on.
        #expect(await notifier.deliver(Fixtures.notification(), site: Fixtures.site) == .delivered)
    }

    @Test func theNextNotificationGoesOnTheSameConnection() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let notifier = try WebhookNotifier(channel: channel(receiver.url), secrets: SecretResolver())
        for _ in 0..<3 { #expect(await notifier.deliver(Fixtures.notification(), site: Fixtures.site) == .delivered) }
        let ports = try receiver.waitForRawRequests(count: 3).map(\.peerPort)
        #expect(ports.count == 3 && ports[0] != nil)
        #expect(Set(ports).count == 1, "one connection for all three: \(ports)")
    }

    @Test func aClosedKeptConnectionIsReplacedWithoutLosingTheNotification() async throws {
        let first = try WebhookReceiver()
        defer { first.stop() }
        let notifier = try WebhookNotifier(channel: channel(first.url), secrets: SecretResolver())
        #expect(await notifier.deliver(Fixtures.notification(), site: Fixtures.site) == .delivered)
        _ = try first.waitForRawRequests(count: 1)
        // The notifier keeps that connection (the test above); it is closed from the other end.
        first.stop()
        let second = try WebhookReceiver(arguments: ["--port", String(first.port)])  // the same URL
        defer { second.stop() }
        #expect(second.url == first.url)
        #expect(await notifier.deliver(Fixtures.notification(), site: Fixtures.site) == .delivered)
        #expect(try second.waitForRawRequests(count: 1).count == 1)
    }

    @Test func withheldHealthDetailArrivesAsNull() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        var withheld = Fixtures.notification()
        withheld.alarmKind = ""
        withheld.room = ""
        let notifier = try WebhookNotifier(channel: channel(receiver.url), secrets: SecretResolver())
        #expect(await notifier.deliver(withheld, site: Fixtures.site) == .delivered)
        let request = try #require(receiver.waitForRawRequests(count: 1).first)
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(
            body.hasPrefix(#"{"alarm":{"id":"A1","kind":null,"room":null,"round":0,"severity":"critical""#), "\(body)")
    }

    @Test func sendsTheStandardAndConfiguredHeaders() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let notifier = try WebhookNotifier(
            channel: channel(receiver.url, headers: ["X-Site": "marker", "X-Token": "env:VAKT_TEST_TOKEN"]),
            secrets: SecretResolver(environment: ["VAKT_TEST_TOKEN": "from-the-environment"]))
        #expect(notifier.channelID == "staff-phones")
        #expect(await notifier.deliver(Fixtures.notification(), site: Fixtures.site) == .delivered)
        let request = try #require(receiver.waitForRawRequests(count: 1).first)
        #expect(request.path == "/vakt")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["idempotency-key"] == "A1-t0-r0-ns1-webhook")
        #expect(request.headers["user-agent"] == WebhookNotifier.defaultUserAgent)
        #expect(WebhookNotifier.defaultUserAgent.hasPrefix("vakt/"))
        #expect(request.headers["x-site"] == "marker")
        #expect(request.headers["x-token"] == "from-the-environment")
        #expect(request.headers["expect"] == nil)
    }

    @Test func aResendIsByteForByteTheSame() async throws {
        let receiver = try WebhookReceiver(arguments: ["--fail-first", "1", "--status", "503"])
        defer { receiver.stop() }
        let notifier = try WebhookNotifier(channel: channel(receiver.url), secrets: SecretResolver())
        let notification = Fixtures.notification(address: nil)
        #expect(await notifier.deliver(notification, site: Fixtures.site) != .delivered)
        #expect(await notifier.deliver(notification, site: Fixtures.site) == .delivered)
        let requests = try receiver.waitForRawRequests(count: 2)
        #expect(requests.count == 2)
        #expect(requests[0].body == requests[1].body)
        #expect(requests[0].headers["idempotency-key"] == requests[1].headers["idempotency-key"])
        let body = try #require(try receiver.waitForRequests(count: 2).first)
        #expect((body["recipient"] as? [String: Any])?["address"] is NSNull, "a missing address is null")
    }

    @Test func longResponseBodiesAreCutTo200Characters() async throws {
        let receiver = try WebhookReceiver(arguments: ["--fail-first", "1", "--status", "500", "--echo-headers"])
        defer { receiver.stop() }
        let padding = String(repeating: "x", count: 500)
        let notifier = try WebhookNotifier(
            channel: channel(receiver.url, headers: ["X-Padding": padding]), secrets: SecretResolver())
        guard case .failed(let reason, _) = await notifier.deliver(Fixtures.notification(), site: Fixtures.site) else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.count <= "HTTP 500: ".count + 201, "\(reason.count) characters")
        #expect(reason.hasSuffix("…"))
    }

    @Test func aURLLibcurlRejectsFailsForGood() async throws {
        let notifier = try WebhookNotifier(channel: channel("http://127.0.0.1:99999/vakt"), secrets: SecretResolver())
        let result = await notifier.deliver(Fixtures.notification(), site: Fixtures.site)
        guard case .failed(let reason, let retryable) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(!retryable, "\(reason)")
    }

    @Test(arguments: ["ftp://example.org/x", "not a url", "file:///etc/passwd", "http:///no-host"])
    func nonHTTPURLsAreRejectedWhenBuilt(url: String) {
        #expect(throws: ChannelConfigurationError.self) {
            try WebhookNotifier(channel: channel(url), secrets: SecretResolver())
        }
    }

    @Test func badHeadersAreRejectedWithoutTheirValues() {
        let cases: [[String: String]] = [
            ["Bad Name": "v"], ["X-Injected": "value\r\nX-Evil: 1"], ["Idempotency-Key": "mine"],
        ]
        for headers in cases {
            do {
                _ = try WebhookNotifier(
                    channel: channel("http://127.0.0.1:9/", headers: headers), secrets: SecretResolver())
                Issue.record("\(headers.keys) must be rejected")
            } catch {
                #expect(error.channel == "staff-phones")
                #expect(!error.description.contains("X-Evil"), "\(error)")
            }
        }
    }

    @Test func aMissingVariableNamesTheVariable() {
        do {
            _ = try WebhookNotifier(
                channel: channel("http://127.0.0.1:9/", headers: ["Authorization": "env:VAKT_NO_SUCH_TOKEN"]),
                secrets: SecretResolver(environment: [:]))
            Issue.record("a missing variable must stop the channel from being built")
        } catch {
            #expect(error.secretError?.variable == "VAKT_NO_SUCH_TOKEN")
            #expect(error.description.contains("VAKT_NO_SUCH_TOKEN"))
            #expect(error.description.contains("Authorization"))
        }
    }
}
