import Foundation
import VaktCore

/// When each device's and resident's alarm chain last worked end to end, worst first: what
/// `vakt proof` prints and the monthly report includes.
public struct ProofTable: Sendable {
    public var devices: [DeviceProof]
    public var residents: [ResidentProof]

    /// - Parameters:
    ///   - site: The site to name rooms and residents by (the config's, or the store's stub).
    ///   - configured: The config, when given: every configured device is listed, with its
    ///     maximum proof age. Without it, every source the hub watched.
    ///   - states: Stored device health by id.
    public init(site: Site, configured: Site?, states: [String: SourceState], now: Date) {
        let ids = configured?.devices.map(\.id) ?? states.keys.sorted()
        devices = ids.map { DeviceProof(id: $0, site: site, configured: configured, state: states[$0], now: now) }
            .sorted(by: DeviceProof.worseFirst)
        let devices = devices
        residents = site.residents.compactMap { resident in
            guard let worst = devices.first(where: { $0.room == resident.room }) else { return nil }
            return ResidentProof(resident: resident, worst: worst)
        }
    }

    /// `{"devices": [...], "residents": [...]}` for `--json`.
    public func object(zone: TimeZone) -> [String: Any] {
        ["devices": devices.map { $0.object(zone: zone) }, "residents": residents.map { $0.object(zone: zone) }]
    }
}

/// One device's proof.
public struct DeviceProof: Sendable {
    public var id: String
    public var room: String
    public var resident: String?
    public var state: SourceState?
    /// Seconds, when the device has a maximum proof age.
    public var maxAge: Double?
    public var ageDays: Double?

    init(id: String, site: Site, configured: Site?, state: SourceState?, now: Date) {
        self.id = id
        let device = site.device(id)
        room = device?.room ?? "-"
        resident = device.flatMap { site.resident(inRoom: $0.room)?.id }
        self.state = state
        maxAge = device.flatMap { configured?.proof.maxAge(profile: $0.profile) }
        ageDays = state?.chainProvenAt.map { now.timeIntervalSince($0) / 86_400 }
    }

    public var expired: Bool { state?.proofExpired ?? false }

    /// Expired first, then never proven, then the oldest proof.
    static func worseFirst(_ a: DeviceProof, _ b: DeviceProof) -> Bool {
        if a.expired != b.expired { return a.expired }
        switch (a.ageDays, b.ageDays) {
        case (nil, nil): return a.id < b.id
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x == y ? a.id < b.id : x > y
        }
    }

    func ageText(_ words: ReportWords) -> String {
        guard let ageDays else { return words.never }
        return ageDays < 1 ? String(format: "%.0f h", ageDays * 24) : String(format: "%.1f d", ageDays)
    }

    func provenText(zone: TimeZone, _ words: ReportWords) -> String {
        state?.chainProvenAt.map { RFC3339.string(from: $0, in: zone) } ?? words.never
    }

    /// DEVICE, ROOM, CHAIN PROVEN, AGE, MAX, BY, LINK (LAST SEEN).
    public static let header = ["DEVICE", "ROOM", "CHAIN PROVEN", "AGE", "MAX", "BY", "LINK (LAST SEEN)"]

    /// The table row, in `language` (English for the command line).
    public func row(zone: TimeZone, language: Language = .english) -> [String] {
        let words = ReportWords(language: language)
        return [
            id + (expired ? " (\(words.expired))" : ""), room, provenText(zone: zone, words), ageText(words),
            maxAge.map { String(format: "%.0f d", $0 / 86_400) } ?? "-", state?.chainProof ?? "-",
            state?.lastSeen.map { RFC3339.string(from: $0, in: zone) } ?? words.never,
        ]
    }

    public func object(zone: TimeZone) -> [String: Any] {
        let time = { (date: Date?) -> Any in date.map { RFC3339.string(from: $0, in: zone) as Any } ?? NSNull() }
        return [
            "id": id, "room": room, "resident": resident ?? NSNull(), "chain_proven_at": time(state?.chainProvenAt),
            "chain_proof": state?.chainProof ?? NSNull(), "chain_proof_kind": state?.chainProofKind ?? NSNull(),
            "chain_age_days": ageDays.map { ($0 * 100).rounded() / 100 as Any } ?? NSNull(),
            "max_age_days": maxAge.map { $0 / 86_400 as Any } ?? NSNull(), "expired": expired,
            "link_proven_at": time(state?.lastSeen),
        ]
    }
}

/// A resident's proof: that of the worst device in their room.
public struct ResidentProof: Sendable {
    public var resident: Resident
    public var worst: DeviceProof

    /// RESIDENT, ROOM, DEVICE, CHAIN PROVEN, AGE.
    public static let header = ["RESIDENT", "ROOM", "DEVICE", "CHAIN PROVEN", "AGE"]

    /// The table row, in `language` (English for the command line).
    public func row(zone: TimeZone, language: Language = .english) -> [String] {
        let words = ReportWords(language: language)
        return [
            resident.displayName, resident.room, worst.id, worst.provenText(zone: zone, words), worst.ageText(words),
        ]
    }

    public func object(zone: TimeZone) -> [String: Any] {
        [
            "id": resident.id, "name": resident.displayName, "room": resident.room, "worst_device": worst.id,
            "chain_proven_at": worst.state?.chainProvenAt.map { RFC3339.string(from: $0, in: zone) as Any } ?? NSNull(),
            "chain_age_days": worst.ageDays.map { ($0 * 100).rounded() / 100 as Any } ?? NSNull(),
            "expired": worst.expired,
        ]
    }
}
