import Foundation
import VaktCore

/// Turns a config directory's sections into a `Site`, reporting every problem on the way.
///
/// One reader per load. Each section has its own file of readers (`SiteReader+People.swift`,
/// ...); cross-references are recorded in an `IDRegistry` and checked after all are read.
final class SiteReader {
    let directory: String
    let sections: SectionTable
    let diagnostics: Diagnostics
    let registry = IDRegistry()
    /// The device profile catalogue, once read: devices are checked against their profile.
    var profiles: [String: DeviceProfile]?
    /// Where the profiles were read from.
    var profilesDirectory: String?
    /// The channels read so far, by id: contacts are checked against their channel's kind.
    var channelKinds: [String: ChannelKind] = [:]

    init(directory: String, sections: SectionTable, diagnostics: Diagnostics) {
        self.directory = directory
        self.sections = sections
        self.diagnostics = diagnostics
    }

    /// Reads every section; returns `nil` only when the `site` section is missing or unusable.
    func read() -> Site? {
        let header = readSiteSection()
        let broker = readBroker(siteID: header?.id)
        let dataDirectory = readDataDirectory()
        let profiles = readProfiles()
        self.profiles = profiles
        let channels = readList("channels", readChannel)
        channelKinds = Dictionary(channels.map { ($0.id, $0.kind) }) { first, _ in first }
        let rooms = readList("rooms", readRoom)
        let staff = readList("staff", readStaff)
        let groups = readList("groups", readGroup)
        let residents = readList("residents", readResident)
        let bridges = readList("bridges", readBridge)
        let devices = readList("devices", readDevice)
        let policies = readList("policies", readPolicy)
        let rules = readList("rules", readRule)
        let proof = readProof()
        let audit = readAudit()
        let report = readReport()
        let roster = readRoster()
        let silencing = readSilencing(rules: rules)
        let outcomes = readOutcomes()
        let templates = readList("templates", readTemplate)
        registry.checkReferences(diagnostics, skipping: profiles == nil ? [.profile] : [])
        guard let header else { return nil }
        var site = Site(
            id: header.id, name: header.name, timeZone: header.timeZone, language: header.language,
            broker: broker, dataDirectory: dataDirectory, rooms: rooms, residents: residents,
            staff: staff, groups: groups, channels: channels, policies: policies, rules: rules,
            devices: devices, bridges: bridges, proof: proof,
            audit: audit, report: report, roster: roster, silencing: silencing, outcomes: outcomes,
            templates: templates,
            profiles: profiles ?? [:])
        site.profilesDirectory = profilesDirectory
        return site
    }

    /// Reads a section that is a sequence of items, skipping items that could not be read.
    func readList<Item>(_ section: String, _ readItem: (YAMLValue) -> Item?) -> [Item] {
        guard let value = sections[section], let items = value.sequence(diagnostics) else { return [] }
        return items.compactMap(readItem)
    }

    /// Reads an item's `id` and declares it; `nil` if absent or not a string.
    func declareID(_ kind: IDRegistry.Kind, _ fields: YAMLFields) -> String? {
        guard let value = fields["id"], let id = value.nonEmptyString(diagnostics) else { return nil }
        registry.declare(kind, id, at: value, diagnostics)
        return id
    }

    /// Reads a string that names something declared elsewhere and records the reference.
    func reference(_ kind: IDRegistry.Kind, _ key: String, in fields: YAMLFields) -> String? {
        guard let value = fields[key], let id = value.nonEmptyString(diagnostics) else { return nil }
        registry.refer(kind, id, at: value)
        return id
    }
}
