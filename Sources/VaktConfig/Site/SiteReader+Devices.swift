import VaktCore

extension SiteReader {
    /// `{id, profile, room, topic}`; topics are unique and may not hold MQTT wildcards.
    func readDevice(_ value: YAMLValue) -> Device? {
        let keys = ["id", "profile", "room", "topic"]
        guard let fields = value.fields(allowed: keys, required: keys, diagnostics) else { return nil }
        let id = declareID(.device, fields)
        let profile = reference(.profile, "profile", in: fields)
        let room = reference(.room, "room", in: fields)
        var topic: String?
        if let value = fields["topic"], let text = value.nonEmptyString(diagnostics) {
            if text.contains("+") || text.contains("#") {
                diagnostics.report(
                    "\(value.path): topic '\(text)' may not contain the MQTT wildcards + or #", at: value.position)
            } else {
                registry.declare(.topic, text, at: value, diagnostics)
                topic = text
            }
        }
        guard let id, let profile, let room, let topic else { return nil }
        return Device(id: id, profile: profile, room: room, topic: topic)
    }
}
