import Foundation
import Testing
import VaktCore
import VaktNotify
import VaktTesting

/// The webhook channel against the shared contract, with a real receiver process.
@Suite struct WebhookContractTests {
    static let contract = ChannelContract(
        startPeer: { fault in try WebhookPeer(fault: fault) },
        channel: { address, headers in
            Channel(
                id: "staff-phones", kind: .webhook, url: address, headers: headers, timeoutSeconds: 0.5, maxAttempts: 3)
        },
        makeNotifier: { channel, secrets in try NotifierFactory.make(channel: channel, secrets: secrets) },
        expectedBody: Data(Fixtures.webhookBody.utf8),
        secretHeader: "Authorization")

    @Test(arguments: PeerFault.allCases)
    func delivery(fault: PeerFault) async throws {
        try await ChannelContractSuite.checkDelivery(Self.contract, fault: fault)
    }

    @Test func noSecretInAnyReason() async throws {
        try await ChannelContractSuite.checkNoSecretInReasons(Self.contract)
    }

    @Test func missingSecretFileNamesTheFile() throws {
        try ChannelContractSuite.checkMissingSecretFile(Self.contract)
    }
}

/// `scripts/webhook-receiver` producing one `PeerFault`.
struct WebhookPeer: ContractPeer {
    let receiver: WebhookReceiver?
    let address: String

    init(fault: PeerFault) throws {
        let failing = ["--fail-first", "1000000", "--echo-headers", "--status"]
        let arguments: [String]? =
            switch fault {
            case .none: []
            case .serverError: failing + ["500"]
            case .rateLimited: failing + ["429"]
            case .rejected: failing + ["400"]
            case .stalled: ["--delay", "30"]
            case .unreachable: nil
            }
        if let arguments {
            let receiver = try WebhookReceiver(arguments: arguments)
            self.receiver = receiver
            address = receiver.url
        } else {
            receiver = nil
            address = "http://127.0.0.1:\(try freeTCPPort())/vakt"
        }
    }

    func waitForMessages(count: Int) throws -> [ReceivedMessage] {
        guard let receiver else { return [] }
        return try receiver.waitForRawRequests(count: count).map {
            ReceivedMessage(idempotencyKey: $0.headers["idempotency-key"], headers: $0.headers, body: $0.body)
        }
    }

    func stop() { receiver?.stop() }
}
