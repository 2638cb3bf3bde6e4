import Foundation
import Testing
import VaktCore
import VaktNotify
import VaktTesting

/// The SMS gateway, ntfy and e-mail channels against the shared contract, each with a real
/// peer: the webhook receiver for the HTTP channels, aiosmtpd for SMTP.
@Suite struct ChannelKindsContractTests {
    static let sms = ChannelContract(
        startPeer: { fault in try WebhookPeer(fault: fault) },
        channel: { address, headers in
            Channel(
                id: "sms", kind: .sms, url: address, headers: headers, timeoutSeconds: 0.5, maxAttempts: 3,
                smsPreset: .jsonBearer, token: "env:VAKT_SMS_TOKEN")
        },
        makeNotifier: { channel, secrets in
            try NotifierFactory.make(channel: channel, secrets: secrets.with(["VAKT_SMS_TOKEN": "gateway-token"]))
        },
        expectedBody: Data(
            (#"{"reference":"A1-t0-r0-ns1-webhook","text":"Fall i rom 104\nBeboer i rom 104 har falt. Kvitter i dashbordet.","#
                + #""to":"+4790000001"}"#).utf8),
        secretHeader: "X-Api-Key")

    static let ntfy = ChannelContract(
        startPeer: { fault in try WebhookPeer(fault: fault) },
        channel: { address, headers in
            Channel(id: "push", kind: .ntfy, url: address, headers: headers, timeoutSeconds: 0.5, maxAttempts: 3)
        },
        makeNotifier: { channel, secrets in try NotifierFactory.make(channel: channel, secrets: secrets) },
        expectedBody: Data(
            (#"{"message":"Beboer i rom 104 har falt. Kvitter i dashbordet.","priority":5,"tags":["rotating_light"],"#
                + #""title":"Fall i rom 104","topic":"marker-ns1"}"#).utf8),
        secretHeader: "X-Api-Key", address: "marker-ns1")

    static let smtp = ChannelContract(
        startPeer: { fault in try SMTPPeer(fault: fault) },
        channel: { address, headers in
            // The contract's secret header becomes the SMTP password, checked by the peer.
            Channel(
                id: "mail", kind: .smtp, url: address, timeoutSeconds: 1, maxAttempts: 3,
                username: headers.isEmpty ? nil : "vakt", password: headers.values.first,
                sender: "vakt@marker.example")
        },
        makeNotifier: { channel, secrets in try NotifierFactory.make(channel: channel, secrets: secrets) },
        expectedBody: Data("Beboer i rom 104 har falt. Kvitter i dashbordet.".utf8),
        secretHeader: "password", address: "nattevakt@marker.example")

    static let all: [(String, ChannelContract)] = [("sms", sms), ("ntfy", ntfy), ("smtp", smtp)]

    @Test(arguments: ["sms", "ntfy", "smtp"], PeerFault.allCases)
    func delivery(kind: String, fault: PeerFault) async throws {
        let contract = try #require(Self.all.first { $0.0 == kind }?.1)
        try await ChannelContractSuite.checkDelivery(contract, fault: fault)
    }

    @Test(arguments: ["sms", "ntfy", "smtp"])
    func noSecretInAnyReason(kind: String) async throws {
        let contract = try #require(Self.all.first { $0.0 == kind }?.1)
        try await ChannelContractSuite.checkNoSecretInReasons(contract)
    }

    @Test(arguments: ["sms", "ntfy"])
    func missingSecretFileNamesTheFile(kind: String) throws {
        let contract = try #require(Self.all.first { $0.0 == kind }?.1)
        try ChannelContractSuite.checkMissingSecretFile(contract)
    }
}

extension SecretResolver {
    /// A resolver that also knows these environment variables.
    func with(_ variables: [String: String]) -> SecretResolver {
        SecretResolver(environment: ProcessInfo.processInfo.environment.merging(variables) { _, new in new })
    }
}

/// `scripts/smtp-catcher` producing one `PeerFault`; with a password configured it requires
/// that login (the contract's secret).
struct SMTPPeer: ContractPeer {
    let catcher: SMTPCatcher?
    let address: String

    init(fault: PeerFault) throws {
        let arguments: [String]? =
            switch fault {
            case .none: ["--any-login"]
            case .serverError: ["--any-login", "--reply", "451 4.3.0 mailbox busy"]
            case .rateLimited: ["--any-login", "--reply", "452 4.5.3 too many recipients, slow down"]
            case .rejected: ["--any-login", "--reply", "550 5.1.1 no such mailbox"]
            case .stalled: ["--any-login", "--stall", "30"]
            case .unreachable: nil
            }
        if let arguments {
            let catcher = try SMTPCatcher(arguments: arguments)
            self.catcher = catcher
            address = catcher.url
        } else {
            catcher = nil
            address = "smtp://127.0.0.1:\(try freeTCPPort())"
        }
    }

    func waitForMessages(count: Int) throws -> [ReceivedMessage] {
        guard let catcher else { return [] }
        return try catcher.waitForMessages(count: count).map { message in
            let id = message.headers["message-id"] ?? ""
            let key = id.dropFirst().prefix { $0 != "@" }
            var headers = message.headers
            headers["password"] = message.password
            return ReceivedMessage(idempotencyKey: String(key), headers: headers, body: Data(message.body.utf8))
        }
    }

    func stop() { catcher?.stop() }
}
