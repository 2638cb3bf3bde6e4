import Foundation
import VaktCore

extension SiteReader {
    /// What the `site` section says about the place itself.
    struct Header {
        var id: String
        var name: String
        var timeZone: TimeZone
        var language: Language
    }

    /// Reads `site: {id, name, time_zone, language}`; reports a missing section.
    func readSiteSection() -> Header? {
        guard let value = sections["site"] else {
            diagnostics.report(
                "no 'site' section: add one (usually in site.yaml) with id, name and time_zone",
                at: .start(of: PathJoin.join(directory, "site.yaml")))
            return nil
        }
        guard
            let fields = value.fields(
                allowed: ["id", "name", "time_zone", "language"], required: ["id", "name"], diagnostics)
        else { return nil }
        let id = fields.string("id", diagnostics)
        if let id, let value = fields["id"], !Self.isSlug(id) {
            diagnostics.report(
                "\(value.path): site id '\(id)' may hold only a-z, 0-9, '-' and '_' (it is part of MQTT topics)",
                at: value.position)
        }
        let name = fields.string("name", diagnostics)
        var timeZone = TimeZone(identifier: "Europe/Oslo")!
        if let value = fields["time_zone"], let identifier = value.string(diagnostics) {
            if let zone = TimeZone(identifier: identifier) {
                timeZone = zone
            } else {
                diagnostics.report(
                    "\(value.path): unknown time zone '\(identifier)'; use an IANA name such as Europe/Oslo",
                    at: value.position)
            }
        }
        let language = fields["language"].flatMap { $0.choice(Language.self, diagnostics) } ?? .norwegianBokmal
        guard let id, let name else { return nil }
        return Header(id: id, name: name, timeZone: timeZone, language: language)
    }

    /// Reads `broker: {url, client_id, username, password_file}`, with defaults for what is absent.
    func readBroker(siteID: String?) -> BrokerSettings {
        var broker = BrokerSettings(clientID: siteID.map { "vakt-\($0)" })
        guard let value = sections["broker"],
            let fields = value.fields(
                allowed: ["url", "client_id", "username", "password_file", "ca_file"], diagnostics)
        else { return broker }
        if let url = fields.string("url", diagnostics), let value = fields["url"] {
            let schemes = ["mqtt://", "mqtts://", "unix://"]
            if schemes.contains(where: url.hasPrefix) {
                broker.url = url
            } else {
                diagnostics.report(
                    "\(value.path): broker url '\(url)' must start with mqtt://, mqtts:// or unix://",
                    at: value.position)
            }
        }
        if let clientID = fields.string("client_id", diagnostics) { broker.clientID = clientID }
        broker.username = fields.string("username", diagnostics)
        broker.passwordFile = fields.string("password_file", diagnostics).map {
            PathJoin.resolve($0, against: directory)
        }
        broker.caFile = fields.string("ca_file", diagnostics).map { PathJoin.resolve($0, against: directory) }
        return broker
    }

    /// Reads `data: DIR` (default `data`), resolved against the config directory.
    func readDataDirectory() -> String {
        let relative = sections["data"].flatMap { $0.nonEmptyString(diagnostics) } ?? "data"
        return PathJoin.resolve(relative, against: directory)
    }

    /// Loads the device profile catalogue named by `profiles:` (default `../../Devices`).
    ///
    /// - Returns: The profiles, or `nil` if the directory does not exist (reported).
    func readProfiles() -> [String: DeviceProfile]? {
        let value = sections["profiles"]
        let relative = value.flatMap { $0.nonEmptyString(diagnostics) } ?? "../../Devices"
        let path = PathJoin.resolve(relative, against: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            let position =
                value?.position ?? sections.keyPosition("site") ?? .start(of: PathJoin.join(directory, "site.yaml"))
            diagnostics.report(
                "device profile directory '\(path)' does not exist; set 'profiles:' to the Devices directory",
                at: position)
            return nil
        }
        profilesDirectory = path
        let catalog = ProfileCatalog.load(directory: path)
        diagnostics.append(catalog.errors)
        registry.declare(.profile, catalog.profiles.keys)
        return catalog.profiles
    }

    /// Lowercase letters, digits, `-` and `_`: safe in MQTT topics and file names.
    static func isSlug(_ text: String) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
            }
    }
}
