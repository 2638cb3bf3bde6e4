import Foundation
import Testing
import VaktCore

@testable import VaktConfig

/// Channels of every kind, and contacts checked against their channel.
@Suite struct ChannelConfigTests {
    func load(_ escalation: String, contacts: String) throws -> (Site?, [String]) {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write("devices/acme/button.yaml", SiteChecksTests.profile)
        try scratch.write("site.yaml", "site: { id: test, name: Test, time_zone: Europe/Oslo }\nprofiles: devices\n")
        try scratch.write(
            "people.yaml", "staff:\n  - { id: ns1, name: Siri, role: night-staff, contacts: \(contacts) }\n")
        try scratch.write("escalation.yaml", escalation)
        do {
            return (try SiteLoader.load(directory: scratch.path), [])
        } catch {
            return (nil, error.description.split(separator: "\n").map { String($0.dropFirst(scratch.path.count + 1)) })
        }
    }

    @Test func readsEveryKind() throws {
        let (loaded, errors) = try load(
            """
            channels:
              - { id: hook, type: webhook, url: "https://gw.example/vakt", hmac_secret: "file:/etc/vakt/hook.key" }
              - { id: sms, type: sms, url: "https://sms.example/send", token: "env:SMS_TOKEN", sender: Vakt }
              - { id: sms2, type: sms, url: "https://sms2.example/send", preset: form-key, user: marker, key: "file:/etc/vakt/sms.key" }
              - { id: push, type: ntfy, url: "https://ntfy.marker.example", token: "file:/etc/vakt/ntfy.token", click: "https://vakt.example/{alarm}", rate_limit: { max: 6, per: 1h } }
              - { id: mail, type: smtp, url: "smtp://mail.example:587", starttls: true, from: vakt@marker.example, username: vakt, password: "file:/etc/vakt/smtp.pw" }

            """,
            contacts:
                "[{ channel: push, address: marker-ns1 }, { channel: sms, address: \"+47 900 00 001\" }, { channel: mail, address: siri@marker.example }]"
        )
        #expect(errors == [])
        let site = try #require(loaded)
        #expect(site.channels.map(\.kind) == [.webhook, .sms, .sms, .ntfy, .smtp])
        #expect(site.channels[0].hmacSecret == "file:/etc/vakt/hook.key")
        #expect(site.channels[1].smsPreset == .jsonBearer && site.channels[1].token == "env:SMS_TOKEN")
        #expect(site.channels[2].smsPreset == .formKey && site.channels[2].username == "marker")
        #expect(site.channels[2].password == "file:/etc/vakt/sms.key")
        #expect(site.channels[3].clickURL == "https://vakt.example/{alarm}")
        #expect(site.channels[3].rateLimit == RateLimit(max: 6, perSeconds: 3600))
        #expect(site.channels[4].startTLS && site.channels[4].sender == "vakt@marker.example")
    }

    @Test func reportsChannelsAndContactsThatCannotWork() throws {
        let (_, errors) = try load(
            """
            channels:
              - { id: hook, type: webhook, url: "https://gw.example/vakt", click: "https://x" }
              - { id: sms, type: sms, url: "https://sms.example/send", token: "s3cret" }
              - { id: sms2, type: sms, url: "https://sms2.example/send", preset: form-key, user: marker }
              - { id: push, type: ntfy, url: "ntfy.example" }
              - { id: mail, type: smtp, url: "https://mail.example" }

            """,
            contacts: "[{ channel: sms, address: \"900 00 001\" }, { channel: push, address: \"my topic\" }]")
        #expect(
            errors == [
                "escalation.yaml:2:64: channels[0]: unknown key 'click'; allowed keys: id, type, url, timeout, max_attempts, rate_limit, headers, hmac_secret",
                "escalation.yaml:3:67: channels[1].token: write where the secret is, file:/path or env:NAME, not the secret itself",
                "escalation.yaml:4:5: channels[2]: an SMS gateway with preset form-key needs 'key'",
                "escalation.yaml:5:34: channels[3].url: ntfy url 'ntfy.example' must start with http:// or https://",
                "escalation.yaml:6:5: channels[4]: an e-mail channel needs 'from'",
                "escalation.yaml:6:34: channels[4].url: smtp url 'https://mail.example' must start with smtp:// or smtps://",
                // Contacts are checked against channels that loaded: push and mail did not.
                "people.yaml:2:83: staff[0].contacts[0].address: an SMS contact needs a phone number in E.164 form, e.g. +47 900 00 001",
            ], "\(errors.joined(separator: "\n"))")
    }
}

extension ChannelConfigTests {
    @Test func refusesLoginsInTheClearAndResponseCentresOffWebhooks() throws {
        let (_, errors) = try load(
            """
            channels:
              - { id: mail, type: smtp, url: "smtp://mail.example:25", from: "Vakt <vakt@x.no>", username: v, password: "env:P" }
              - { id: sms, type: sms, url: "https://sms.example/send", token: "env:T" }
            policies:
              - { id: p, tiers: [{ after: 0, notify: [{ staff: ns1 }, { external: sms, name: Alarmsentralen }] }], repeat: 5m }

            """,
            contacts: "[{ channel: mail, address: \"a@b@c.no\" }]")
        #expect(
            errors == [
                "escalation.yaml:2:5: channels[0]: a login over smtp:// needs starttls: true (or use smtps://)",
                "escalation.yaml:2:66: channels[0].from: 'Vakt <vakt@x.no>' is not a plain e-mail address (name@host.domain)",
                "escalation.yaml:5:71: policies[0].tiers[0].notify[1].external: a response centre is reached through a webhook channel; 'sms' is sms",
                "people.yaml:2:84: staff[0].contacts[0].address: an e-mail contact needs a plain address (name@host.domain)",
            ], "\(errors.joined(separator: "\n"))")
    }
}

extension ChannelConfigTests {
    @Test func templatesMayNotTellRelativesWhatHappened() throws {
        let (_, errors) = try load(
            """
            channels:
              - { id: hook, type: webhook, url: "https://gw.example/vakt" }
            templates:
              - { audience: staff, channel: sms, title: "{severity}: {kind}", body: "{kind} i {room}, {wat}" }
              - { audience: next-of-kin, title: "Fra {site}", body: "{kind} hos {resident}" }
              - { audience: next-of-kin-detail, title: "Fra {site}", body: "{kind} hos {resident} kl. {time}" }

            """,
            contacts: "[]")
        #expect(
            errors == [
                "escalation.yaml:4:73: templates[0].body: unknown placeholder {wat}; allowed: {alarm} {kind} {severity} {room} {resident} {time} {tier} {round} {site} {waited}",
                "escalation.yaml:5:57: templates[1].body: relatives without consent to health detail may not be told {kind}; allowed: {alarm} {resident} {time} {site}",
            ], "\(errors.joined(separator: "\n"))")
    }
}

extension ChannelConfigTests {
    @Test func customSMSRequestsAreChecked() throws {
        let (loaded, errors) = try load(
            """
            channels:
              - { id: sms, type: sms, preset: custom, method: GET, url: "https://gw.example/send?to={to}&msg={text}&key={secret}", token: "env:K" }
              - { id: sms2, type: sms, preset: custom, url: "https://gw.example/send", body: '{"to": "{to}", "msg": "{txt}"}' }
              - { id: sms3, type: sms, url: "https://gw.example/send", token: "env:K", body: "x" }

            """,
            contacts: "[]")
        #expect(loaded == nil)
        #expect(
            errors == [
                "escalation.yaml:3:5: channels[1]: a custom SMS request must send {to} and {text}",
                "escalation.yaml:3:5: channels[1]: unknown placeholder {txt}; allowed: {to} {text} {from} {reference} {secret}",
                "escalation.yaml:4:76: channels[2]: 'body' is for preset: custom",
            ], "\(errors.joined(separator: "\n"))")
    }
}
