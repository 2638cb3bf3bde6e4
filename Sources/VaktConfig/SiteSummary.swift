import VaktCore

/// A one-paragraph English description of a loaded site, as `vakt check` prints it.
public enum SiteSummary {
    /// Names the site and its time zone, then counts rooms, residents, staff (and how many are
    /// on duty), devices by profile, bridges and receivers (and their ports), rules, policies
    /// with their tier delays, and channels.
    public static func describe(_ site: Site) -> String {
        let onDuty =
            site.roster.map { "roster of \($0.shifts.count) shifts" } ?? "\(site.staff.filter(\.onDuty).count) on duty"
        var byProfile: [String: Int] = [:]
        for device in site.devices { byProfile[device.profile, default: 0] += 1 }
        let devices = byProfile.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        let policies = site.policies.map { policy in
            let delays = policy.tiers.map { formatDuration($0.afterSeconds) }.joined(separator: ", ")
            return "\(policy.id) (tiers after \(delays), repeating every \(formatDuration(policy.repeatSeconds)))"
        }
        let channels = site.channels.map { "\($0.id) (\($0.kind.rawValue))" }
        var text =
            "\(site.name) (\(site.id)), time zone \(site.timeZone.identifier), language \(site.language.rawValue): "
        text += "\(count(site.rooms.count, "room")), \(count(site.residents.count, "resident")), "
        text += "\(site.staff.count) staff (\(onDuty)), \(count(site.groups.count, "group")), "
        text += count(site.devices.count, "device")
        text += devices.isEmpty ? "" : " (\(devices.joined(separator: ", ")))"
        if !site.bridges.isEmpty {
            let bridges = site.bridges.map { bridge -> String in
                switch bridge.kind {
                case .zigbee2mqtt(let base): "\(bridge.id) (zigbee2mqtt on \(base)/)"
                case .receiver(let profile, let port): "\(bridge.id) (\(profile) on \(port))"
                }
            }
            text += ", \(count(site.bridges.count, "bridge")): \(bridges.joined(separator: ", "))"
        }
        text += ", \(count(site.rules.count, "rule")). "
        text += "Policies: \(policies.isEmpty ? "none" : policies.joined(separator: "; ")). "
        text += "Channels: \(channels.isEmpty ? "none" : channels.joined(separator: ", "))."
        return text
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
