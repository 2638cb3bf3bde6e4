import Foundation
import Testing
import VaktCore
import VaktNotify
import VaktTesting

/// The faults every channel's real peer must produce on demand for the shared contract.
enum PeerFault: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The peer accepts the message.
    case none
    /// The peer fails in a way that may pass (HTTP 500, SMTP 451, ...).
    case serverError
    /// The peer asks the sender to slow down (HTTP 429, ...).
    case rateLimited
    /// The peer rejects the message for good (HTTP 400, SMTP 550, ...).
    case rejected
    /// Nothing listens at the address.
    case unreachable
    /// The peer accepts the connection and never answers in time.
    case stalled

    var description: String { rawValue }

    /// Whether a failure is expected, and if so whether it is retryable.
    var expected: (delivered: Bool, retryable: Bool) {
        switch self {
        case .none: (true, false)
        case .rejected: (false, false)
        case .serverError, .rateLimited, .unreachable, .stalled: (false, true)
        }
    }
}

/// What a peer received, in channel-neutral terms.
struct ReceivedMessage {
    var idempotencyKey: String?
    /// Header (or envelope field) names in lower case, with their values.
    var headers: [String: String]
    var body: Data
}

/// A running peer for one contract case.
protocol ContractPeer {
    /// The endpoint a channel should point at.
    var address: String { get }
    /// Waits for `count` messages and returns them.
    func waitForMessages(count: Int) throws -> [ReceivedMessage]
    func stop()
}

/// How one channel kind plugs into the shared contract suite.
struct ChannelContract: Sendable {
    /// Starts a real peer that produces `fault`; a failing peer quotes what it received in its
    /// answer, as careless servers do, so a leaked secret would show up in the reason.
    var startPeer: @Sendable (PeerFault) throws -> any ContractPeer
    /// A channel of this kind pointing at `address`, with a 0.5 s timeout and extra `headers`.
    var channel: @Sendable (_ address: String, _ headers: [String: String]) -> Channel
    /// Builds the notifier under test.
    var makeNotifier: @Sendable (Channel, SecretResolver) throws -> any Notifier
    /// The exact bytes the peer should receive for `Fixtures.notification(address: contract.address)`.
    var expectedBody: Data
    /// The header that carries a configured secret to the peer.
    var secretHeader: String
    /// The recipient's address the channel takes (a phone number, a topic, an e-mail address).
    var address: String = "+4790000001"
}

/// The checks every channel passes. Each starts its own peer and stops it after.
enum ChannelContractSuite {
    /// One attempt against a peer producing `fault` gives the result the contract demands;
    /// a delivered message arrives with the exact body and the idempotency key.
    static func checkDelivery(_ contract: ChannelContract, fault: PeerFault) async throws {
        let peer = try contract.startPeer(fault)
        defer { peer.stop() }
        let notifier = try contract.makeNotifier(contract.channel(peer.address, [:]), SecretResolver())
        let notification = Fixtures.notification(address: contract.address)
        let result = await notifier.deliver(notification, site: Fixtures.site)
        let expected = fault.expected
        if expected.delivered {
            #expect(result == .delivered)
            let messages = try peer.waitForMessages(count: 1)
            #expect(messages.count == 1)
            #expect(messages.first?.body == contract.expectedBody)
            #expect(messages.first?.idempotencyKey == notification.key)
        } else {
            guard case .failed(let reason, let retryable) = result else {
                Issue.record("\(fault): expected a failure, got \(result)")
                return
            }
            #expect(retryable == expected.retryable, "\(fault): \(reason)")
            #expect(!reason.isEmpty)
        }
    }

    /// A secret configured through `file:` reaches the peer, and never appears in any
    /// failure reason, even when the peer quotes it back.
    static func checkNoSecretInReasons(_ contract: ChannelContract) async throws {
        let directory = try TemporaryDirectory(prefix: "vakt-secret")
        defer { directory.remove() }
        let secret = "Bearer s3cr3t-\(UUID().uuidString)"
        let secretFile = try directory.writeSecret("token", secret + "\n")
        let headers = [contract.secretHeader: "file:\(secretFile.path)"]

        for fault in PeerFault.allCases {
            let peer = try contract.startPeer(fault)
            defer { peer.stop() }
            let notifier = try contract.makeNotifier(contract.channel(peer.address, headers), SecretResolver())
            let result = await notifier.deliver(Fixtures.notification(address: contract.address), site: Fixtures.site)
            switch result {
            case .delivered:
                #expect(fault == .none)
                let messages = try peer.waitForMessages(count: 1)
                #expect(messages.first?.headers[contract.secretHeader.lowercased()] == secret, "the secret is sent")
            case .failed(let reason, _):
                #expect(fault != .none, "\(reason)")
                #expect(!reason.contains(secret), "\(fault): the reason leaks the secret: \(reason)")
                #expect(!reason.contains("s3cr3t"), "\(fault): the reason leaks part of the secret: \(reason)")
            }
        }
    }

    /// A missing secret file stops the channel from being built, with an error that names the
    /// file; the other headers' values are not in it.
    static func checkMissingSecretFile(_ contract: ChannelContract) throws {
        let directory = try TemporaryDirectory(prefix: "vakt-secret")
        defer { directory.remove() }
        let missing = directory.appending("no-such-token").path
        let channel = contract.channel(
            "http://127.0.0.1:9/", [contract.secretHeader: "file:\(missing)", "X-Other": "literal-not-shown"])
        do {
            _ = try contract.makeNotifier(channel, SecretResolver())
            Issue.record("a missing secret file must stop the channel from being built")
        } catch {
            let text = String(describing: error)
            #expect(text.contains(missing), "\(text)")
            #expect(!text.contains("literal-not-shown"), "\(text)")
        }
    }
}
