import Crypto
import Foundation
import Testing
import VaktCore
import VaktNotify
import VaktTesting

/// What each channel kind sends, beyond the shared contract.
@Suite struct ChannelKindsTests {
    @Test func smsFormPresetSendsUserKeyAndTheNumberInE164() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let channel = Channel(
            id: "sms", kind: .sms, url: receiver.url, smsPreset: .formKey, username: "marker", password: "env:SMS_KEY",
            sender: "Vakt")
        let notifier = try SMSNotifier(channel: channel, secrets: SecretResolver(environment: ["SMS_KEY": "k3y&x"]))
        let result = await notifier.deliver(Fixtures.notification(address: "+47 900 00 001"), site: Fixtures.site)
        #expect(result == .delivered)
        let request = try #require(receiver.waitForRawRequests(count: 1).first)
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "user=marker&key=k3y%26x&to=%2B4790000001&from=Vakt&text=Fall+i+rom+104%0ABeboer+i+rom+104+har+falt.+Kvitter+i+dashbordet.&reference=A1-t0-r0-ns1-webhook"
        )
        // A number that is not E.164 fails for good, without a request.
        let bad = await notifier.deliver(Fixtures.notification(address: "900 00 001"), site: Fixtures.site)
        #expect(bad == .failed(reason: "recipient ns1 has no phone number in E.164 form (+47...)", retryable: false))
        #expect(PhoneNumber.e164("+47 900 00 001") == "+4790000001")
        for invalid in ["4790000001", "+0123456789", "+47 900", "+47 900 00 00a"] {
            #expect(PhoneNumber.e164(invalid) == nil)
        }
    }

    @Test func ntfyPriorityTagsAndTheClickLink() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let channel = Channel(
            id: "push", kind: .ntfy, url: receiver.url, token: "env:NTFY_TOKEN",
            clickURL: "https://vakt.marker.example/alarms/{alarm}")
        let notifier = try NtfyNotifier(channel: channel, secrets: SecretResolver(environment: ["NTFY_TOKEN": "tk_1"]))
        var test = Fixtures.notification(address: "marker-ns1")
        test.severity = .medium
        test.title = "TEST – Fall i rom 104"
        #expect(await notifier.deliver(test, site: Fixtures.site) == .delivered)
        let request = try #require(receiver.waitForRawRequests(count: 1).first)
        #expect(request.headers["authorization"] == "Bearer tk_1")
        let object = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        #expect(object["priority"] as? Int == 3)
        #expect(object["tags"] as? [String] == ["bell", "test_tube"])
        #expect(object["click"] as? String == "https://vakt.marker.example/alarms/A1")
        #expect((object["actions"] as? [[String: Any]])?.first?["action"] as? String == "view")
        #expect(object["title"] as? String == "TEST – Fall i rom 104")
        let noTopic = await notifier.deliver(Fixtures.notification(address: "not a topic"), site: Fixtures.site)
        #expect(
            noTopic == .failed(reason: "recipient ns1 has no ntfy topic (letters, digits, - and _)", retryable: false))
    }

    @Test func emailHasDateMessageIDAndAUTF8Subject() async throws {
        let catcher = try SMTPCatcher(arguments: ["--login", "vakt:pass word"])
        defer { catcher.stop() }
        let channel = Channel(
            id: "mail", kind: .smtp, url: catcher.url, username: "vakt", password: "env:SMTP_PASSWORD",
            sender: "vakt@marker.example")
        let notifier = try SMTPNotifier(
            channel: channel, secrets: SecretResolver(environment: ["SMTP_PASSWORD": "pass word"]))
        var notification = Fixtures.notification(address: "sykepleier@marker.example")
        notification.title = "KRITISK: Fall – Rom 104 (Åse Bø)"
        #expect(await notifier.deliver(notification, site: Fixtures.site) == .delivered)
        let message = try #require(catcher.waitForMessages(count: 1).first)
        #expect(message.envelopeFrom == "vakt@marker.example")
        #expect(message.envelopeTo == ["sykepleier@marker.example"])
        #expect(message.headers["subject"] == "KRITISK: Fall – Rom 104 (Åse Bø)")
        #expect(message.rawHeaders["subject"]?.hasPrefix("=?UTF-8?B?") == true)
        #expect(message.headers["message-id"] == "<A1-t0-r0-ns1-webhook@marker.vakt>")
        #expect(message.headers["date"]?.hasSuffix("+0000") == true)
        #expect(message.rawHeaders["content-type"] == "text/plain; charset=utf-8")
        #expect(message.body == "Beboer i rom 104 har falt. Kvitter i dashbordet.")
        #expect(message.login == "vakt")

        // A wrong password fails, and the reason does not carry it. (aiosmtpd answers a failed
        // AUTH LOGIN slowly, so what libcurl reports is a timeout in the exchange; a server
        // that answers 535 at once gives a permanent failure, as any 5xx reply does.)
        var short = channel
        short.timeoutSeconds = 2
        let wrong = try SMTPNotifier(
            channel: short, secrets: SecretResolver(environment: ["SMTP_PASSWORD": "not it"]))
        guard case .failed(let reason, _) = await wrong.deliver(notification, site: Fixtures.site) else {
            Issue.record("a refused login must fail")
            return
        }
        #expect(!reason.contains("not it"), "\(reason)")
        // STARTTLS required against a server that offers none: refused, not sent in the clear.
        var starttls = channel
        starttls.startTLS = true
        let clear = try SMTPNotifier(
            channel: starttls, secrets: SecretResolver(environment: ["SMTP_PASSWORD": "pass word"]))
        guard case .failed(let tlsReason, let tlsRetryable) = await clear.deliver(notification, site: Fixtures.site)
        else {
            Issue.record("STARTTLS against a plain server must fail")
            return
        }
        #expect(!tlsRetryable, "\(tlsReason)")
        #expect(try catcher.waitForMessages(count: 0).count == 1, "nothing more was sent")
    }

    @Test func webhookBodiesAreSignedWithTheSharedSecret() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let channel = Channel(id: "hook", kind: .webhook, url: receiver.url, hmacSecret: "env:HOOK_SECRET")
        let notifier = try WebhookNotifier(
            channel: channel, secrets: SecretResolver(environment: ["HOOK_SECRET": "shared"]))
        #expect(await notifier.deliver(Fixtures.notification(), site: Fixtures.site) == .delivered)
        let request = try #require(receiver.waitForRawRequests(count: 1).first)
        let expected = HMAC<SHA256>.authenticationCode(
            for: request.body, using: SymmetricKey(data: Data("shared".utf8))
        )
        .map { String(format: "%02x", $0) }.joined()
        #expect(request.headers["x-vakt-signature"] == "sha256=\(expected)")
    }

    @Test func channelsThatCannotWorkAreRefusedWhenBuilt() {
        let cases: [(Channel, String)] = [
            (Channel(id: "s", kind: .sms, url: "http://127.0.0.1:9/", smsPreset: .jsonBearer), "token"),
            (Channel(id: "m", kind: .smtp, url: "http://127.0.0.1:9/", sender: "a@b.example"), "URL"),
            (Channel(id: "m", kind: .smtp, url: "smtp://127.0.0.1:9"), "from"),
        ]
        for (channel, says) in cases {
            #expect(throws: ChannelConfigurationError.self) {
                try NotifierFactory.make(channel: channel, secrets: SecretResolver())
            }
            do {
                _ = try NotifierFactory.make(channel: channel, secrets: SecretResolver())
            } catch {
                #expect(error.description.contains(says), "\(error)")
            }
        }
    }
}

/// The one retry stage: jitter, and a peer's Retry-After.
@Suite struct RetryAfterTests {
    @Test func aRateLimitedGatewaysRetryAfterIsHonoured() async throws {
        let receiver = try WebhookReceiver(arguments: ["--fail-first", "2", "--status", "429", "--retry-after", "7"])
        defer { receiver.stop() }
        let channel = Channel(id: "sms", kind: .sms, url: receiver.url, token: "env:T")
        let notifier = try SMSNotifier(channel: channel, secrets: SecretResolver(environment: ["T": "t"]))
        let first = await notifier.attempt(Fixtures.notification(), site: Fixtures.site)
        #expect(first.retryAfter == 7)
        guard case .failed(let reason, true) = first.result else {
            Issue.record("429 must be retryable: \(first.result)")
            return
        }
        #expect(reason.hasPrefix("HTTP 429"))
        let policy = RetryPolicy(maxAttempts: 5)
        // 2 s ±20 % would be the delay; the gateway asked for 7.
        #expect(policy.delay(afterAttempt: 1, jitter: 0.5, retryAfter: first.retryAfter) == 7)
        #expect(policy.delay(afterAttempt: 1, jitter: 0.5, retryAfter: 86_400) == RetryPolicy.maximumRetryAfter)
        let date = try WebhookReceiver(arguments: [
            "--fail-first", "1", "--status", "503", "--retry-after", "Wed, 21 Oct 2015 07:28:00 GMT",
        ])
        defer { date.stop() }
        let past = try SMSNotifier(
            channel: Channel(id: "sms", kind: .sms, url: date.url, token: "env:T"),
            secrets: SecretResolver(environment: ["T": "t"]))
        #expect(await past.attempt(Fixtures.notification(), site: Fixtures.site).retryAfter == 0)
    }

    @Test func jitterSpreadsEachDelayByAFifth() {
        let policy = RetryPolicy(maxAttempts: 8)
        #expect(policy.delay(afterAttempt: 3, jitter: 0, retryAfter: nil) == 8 * 0.8)
        #expect(abs(policy.delay(afterAttempt: 3, jitter: 0.999_999, retryAfter: nil) - 8 * 1.2) < 0.001)
        #expect(
            policy.delay(afterAttempt: 3, jitter: 0.5, retryAfter: 1) == 8, "a shorter Retry-After does not hurry it")
    }
}

/// TLS that cannot be had is a failure with a reason, never a message sent in the clear.
@Suite struct TLSFailureTests {
    @Test func httpsToAPlainServerFailsWithATLSReason() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let url = "https://127.0.0.1:\(receiver.port)/vakt"
        for channel in [
            Channel(id: "hook", kind: .webhook, url: url, timeoutSeconds: 3),
            Channel(id: "push", kind: .ntfy, url: url, timeoutSeconds: 3),
        ] {
            let notifier = try NotifierFactory.make(channel: channel, secrets: SecretResolver())
            let result = await notifier.deliver(Fixtures.notification(address: "marker-ns1"), site: Fixtures.site)
            guard case .failed(let reason, _) = result else {
                Issue.record("\(channel.kind): TLS to a plain server must fail, got \(result)")
                continue
            }
            #expect(reason.contains("SSL") || reason.contains("TLS"), "\(channel.kind): \(reason)")
        }
        #expect(try receiver.waitForRawRequests(count: 0).isEmpty, "nothing arrived in the clear")
    }
}

/// A gateway of its own shape: method, URL and body from the channel's template.
@Suite struct CustomSMSTests {
    @Test func aJSONBodyTemplateIsFilledEscaped() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let channel = Channel(
            id: "sms", kind: .sms, url: receiver.url, smsPreset: .custom,
            smsRequest: SMSRequest(
                method: .put, body: #"{"msisdn":"{to}","message":"{text}","sender":"{from}","apikey":"{secret}"}"#,
                format: .json),
            token: "env:K", sender: "Vakt \"Marker\"")
        let notifier = try SMSNotifier(channel: channel, secrets: SecretResolver(environment: ["K": "k\"1"]))
        #expect(await notifier.deliver(Fixtures.notification(), site: Fixtures.site) == .delivered)
        let request = try #require(receiver.waitForRawRequests(count: 1).first)
        let object = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: String])
        #expect(object["msisdn"] == "+4790000001")
        #expect(object["message"] == "Fall i rom 104\nBeboer i rom 104 har falt. Kvitter i dashbordet.")
        #expect(object["sender"] == "Vakt \"Marker\"")
        #expect(object["apikey"] == "k\"1")
    }

    @Test func aGETGatewayTakesEverythingInTheURL() async throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let channel = Channel(
            id: "sms", kind: .sms, url: "http://127.0.0.1:\(receiver.port)/send?to={to}&msg={text}&key={secret}",
            smsPreset: .custom, smsRequest: SMSRequest(method: .get), token: "env:K")
        let notifier = try SMSNotifier(channel: channel, secrets: SecretResolver(environment: ["K": "a b"]))
        let result = await notifier.deliver(Fixtures.notification(), site: Fixtures.site)
        // The receiver answers GET with 200 and records only POSTs: the request went out.
        #expect(result == .delivered)
    }
}
