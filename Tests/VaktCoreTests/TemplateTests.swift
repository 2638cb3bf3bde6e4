import Foundation
import Testing
import VaktCore

/// The site's own wording, per audience and channel, and what relatives may never be told.
@Suite("Message templates")
struct TemplateTests {
    let t0 = Fixture.t0

    @Test("a template for SMS is used on SMS, the built-in text elsewhere; placeholders are filled")
    func perChannel() {
        var site = Fixture.site()
        site.channels.append(Channel(id: "sms", kind: .sms, url: "http://127.0.0.1:9/", token: "env:T"))
        site.staff[0].contacts = [Contact(channel: "sms", address: "+4790000001")]
        site.templates = [
            MessageTemplate(
                audience: .staff, channel: .sms, title: "{severity} {kind}",
                body: "{kind} i {room} ({resident}) kl. {time}. Trinn {tier}, ventet {waited} min. Svar i Vakt: {alarm}"
            )
        ]
        var engine = Engine(site: site)
        let effects = engine.handle(Fixture.fall(), at: t0)
        let sms = effects.notification(for: "ns1")
        #expect(sms?.title == "KRITISK Fall")
        #expect(sms?.body == "Fall i Rom 101 (Astrid Hansen) kl. 03:00. Trinn 1, ventet 0 min. Svar i Vakt: A1")
        #expect(effects.notification(for: "ns2")?.body.hasPrefix("Alarm A1: fall hos Astrid Hansen") == true)
    }

    @Test("a relative without consent to health detail is never told what, where or how serious")
    func relativesWithoutDetail() {
        var site = Fixture.site()
        // Even a template that tried (the config check refuses it) gets nothing to say.
        site.templates = [
            MessageTemplate(
                audience: .nextOfKin, title: "Fra {site}", body: "{kind} i {room} for {resident} kl. {time}")
        ]
        site.policies[0].tiers[0].notify.append(.nextOfKin)
        var engine = Engine(site: site)
        let effects = engine.handle(Fixture.fall(), at: t0)
        #expect(effects.notification(for: "k101a")?.body == " i  for Astrid Hansen kl. 03:00")
        #expect(effects.notification(for: "k101a")?.title == "Fra Marker bo- og servicesenter")
        // The relative with consent keeps the built-in text (no template for that audience).
        #expect(effects.notification(for: "k101b")?.body.hasPrefix("Fall registrert hos Astrid Hansen") == true)
        #expect(MessageTemplate.names(in: "{a} og {b}") == ["a", "b"])
    }
}
