import VaktCore
import VaktNotify

/// Sample data shared by the notifier tests.
enum Fixtures {
    static let site = SiteInfo(id: "marker", name: "Marker bo- og servicesenter")

    static func notification(key: String = "A1-t0-r0-ns1-webhook", address: String? = "+4790000001") -> Notification {
        Notification(
            key: key, alarm: "A1", tier: 0, round: 0, channel: "staff-phones",
            recipient: Recipient(id: "ns1", name: "Kari Nordmann", kind: .staff, address: address),
            severity: .critical, alarmKind: "fall", room: "104",
            title: "Fall i rom 104", body: "Beboer i rom 104 har falt. Kvitter i dashbordet.")
    }

    /// The exact bytes the webhook sends for `notification()`: the wire format, written out.
    static let webhookBody =
        #"{"alarm":{"id":"A1","kind":"fall","room":"104","round":0,"severity":"critical","tier":0},"#
        + #""body":"Beboer i rom 104 har falt. Kvitter i dashbordet.","idempotency_key":"A1-t0-r0-ns1-webhook","#
        + #""recipient":{"address":"+4790000001","id":"ns1","kind":"staff","name":"Kari Nordmann"},"#
        + #""site":{"id":"marker","name":"Marker bo- og servicesenter"},"title":"Fall i rom 104"}"#
}
