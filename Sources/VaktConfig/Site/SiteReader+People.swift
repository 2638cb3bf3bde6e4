import VaktCore

extension SiteReader {
    /// `{id, name, tags}`
    func readRoom(_ value: YAMLValue) -> Room? {
        guard let fields = value.fields(allowed: ["id", "name", "tags"], required: ["id", "name"], diagnostics)
        else { return nil }
        let id = declareID(.room, fields)
        let name = fields.string("name", diagnostics)
        let tags = fields.strings("tags", diagnostics)
        guard let id, let name else { return nil }
        return Room(id: id, name: name, tags: tags)
    }

    /// `{id, name, room, tags, next_of_kin: [...]}`
    func readResident(_ value: YAMLValue) -> Resident? {
        guard
            let fields = value.fields(
                allowed: ["id", "name", "room", "tags", "next_of_kin", "rules"], required: ["id", "name", "room"],
                diagnostics)
        else { return nil }
        let id = declareID(.resident, fields)
        let name = fields.string("name", diagnostics)
        let room = reference(.room, "room", in: fields)
        let tags = fields.strings("tags", diagnostics)
        let kin = fields.sequence("next_of_kin", diagnostics).compactMap(readNextOfKin)
        let overrides = fields["rules"].map(readOverrides) ?? [:]
        guard let id, let name, let room else { return nil }
        return Resident(
            id: id, displayName: name, room: room, tags: tags, nextOfKin: kin, ruleOverrides: overrides)
    }

    /// `{id, name, relation, contacts, consent: {notify, health_detail}}`; consent defaults to none.
    func readNextOfKin(_ value: YAMLValue) -> NextOfKin? {
        guard
            let fields = value.fields(
                allowed: ["id", "name", "relation", "contacts", "consent", "quiet_hours"], required: ["id", "name"],
                diagnostics)
        else { return nil }
        let id = declareID(.nextOfKin, fields)
        let name = fields.string("name", diagnostics)
        let relation = fields.string("relation", diagnostics)
        let contacts = fields.sequence("contacts", diagnostics).compactMap(readContact)
        var notify = false
        var healthDetail = false
        if let consent = fields["consent"]?.fields(allowed: ["notify", "health_detail"], diagnostics) {
            notify = consent.bool("notify", default: false, diagnostics)
            healthDetail = consent.bool("health_detail", default: false, diagnostics)
        }
        let quietHours = fields["quiet_hours"].flatMap(readWindow)
        guard let id, let name else { return nil }
        return NextOfKin(
            id: id, name: name, relation: relation, contacts: contacts, consentNotify: notify,
            consentHealthDetail: healthDetail, quietHours: quietHours)
    }

    /// `{channel, address}`
    func readContact(_ value: YAMLValue) -> Contact? {
        guard let fields = value.fields(allowed: ["channel", "address"], required: ["channel"], diagnostics)
        else { return nil }
        let channel = reference(.channel, "channel", in: fields)
        let address = fields.string("address", diagnostics)
        // An address the channel cannot use would fail at 3 in the morning: say so now.
        if let channel, let kind = channelKinds[channel], let value = fields["address"] ?? Optional(value) {
            let problem: String? =
                switch kind {
                case .sms:
                    address.flatMap(PhoneNumber.e164) == nil
                        ? "an SMS contact needs a phone number in E.164 form, e.g. +47 900 00 001" : nil
                case .smtp:
                    address.map(EmailAddress.isValid) == true
                        ? nil : "an e-mail contact needs a plain address (name@host.domain)"
                case .ntfy:
                    address.map(NtfyTopic.isValid) == true
                        ? nil : "an ntfy contact needs a topic (letters, digits, - and _)"
                case .webhook: nil
                }
            if let problem { diagnostics.report("\(value.path): \(problem)", at: value.position) }
        }
        guard let channel else { return nil }
        return Contact(channel: channel, address: address)
    }

    /// `{id, name, role, on_duty, contacts}`; `on_duty` defaults to true.
    func readStaff(_ value: YAMLValue) -> Staff? {
        guard
            let fields = value.fields(
                allowed: ["id", "name", "role", "on_duty", "contacts"], required: ["id", "name", "role"], diagnostics)
        else { return nil }
        let id = declareID(.staff, fields)
        let name = fields.string("name", diagnostics)
        let role = fields["role"].flatMap { $0.choice(StaffRole.self, diagnostics) }
        let onDuty = fields.bool("on_duty", default: true, diagnostics)
        let contacts = fields.sequence("contacts", diagnostics).compactMap(readContact)
        guard let id, let name, let role else { return nil }
        return Staff(id: id, name: name, role: role, onDuty: onDuty, contacts: contacts)
    }

    /// `{id, name, members: [staff ids]}`; the name defaults to the id.
    func readGroup(_ value: YAMLValue) -> StaffGroup? {
        guard let fields = value.fields(allowed: ["id", "name", "members"], required: ["id", "members"], diagnostics)
        else { return nil }
        let id = declareID(.group, fields)
        let name = fields.string("name", diagnostics)
        var members: [String] = []
        for member in fields.sequence("members", diagnostics) {
            guard let staffID = member.nonEmptyString(diagnostics) else { continue }
            registry.refer(.staff, staffID, at: member)
            members.append(staffID)
        }
        guard let id else { return nil }
        return StaffGroup(id: id, name: name ?? id, members: members)
    }
}
