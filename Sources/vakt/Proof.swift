import ArgumentParser
import Foundation
import VaktCore
import VaktStore

/// `vakt proof --data DIR [--config DIR] [--json]`
struct Proof: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show when each device's and resident's alarm chain last worked end to end.",
        discussion: """
            A device's chain is proven when an alarm it raised is answered by a person: the \
            sensor, the transport, the rules, the notification and a human all worked. A \
            device's link is proven each time it reports (last seen), which says nothing of \
            the person's answer. Devices are listed worst first: expired, then never proven, \
            then oldest proof. A resident's proof is that of the worst device in their room.

            With --config, every configured device is listed with its maximum proof age \
            (the config's `proof` section); with --data alone, those the hub has watched. With \
            --json: {"devices": [...], "residents": [...]}; each device has id, room, \
            resident, chain_proven_at, chain_proof, chain_proof_kind (alarm: a real alarm \
            answered; test: a chain test answered), chain_age_days, max_age_days, expired, \
            link_proven_at; each resident has id, name, room, worst_device, chain_proven_at, \
            chain_age_days, expired. Times are RFC 3339 in the site's time zone.
            """)

    @OptionGroup var location: DataOption

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    func run() throws {
        let site = try location.site()
        let store = try location.openStore(site: site)
        let states = try DataOption.sources(in: store)
        let view = DataOption.view(of: site, store: store)
        let now = Date()
        // With the config, every device; without it, every source the hub watched (it cannot
        // tell devices from bridges then).
        let ids = site?.devices.map(\.id) ?? states.keys.sorted()
        let rows = ids.map { ProofRow(id: $0, site: view, configured: site, state: states[$0], now: now) }
            .sorted(by: ProofRow.worseFirst)
        let residents = view.residents.compactMap { resident -> ResidentProof? in
            guard let worst = rows.first(where: { $0.room == resident.room }) else { return nil }
            return ResidentProof(resident: resident, worst: worst)
        }
        if json {
            let object: [String: Any] = [
                "devices": rows.map { $0.object(zone: view.timeZone) },
                "residents": residents.map { $0.object(zone: view.timeZone) },
            ]
            FileHandle.standardOutput.write(
                try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
            print()
            return
        }
        guard !rows.isEmpty else {
            print("No devices configured or watched.")
            return
        }
        print("Devices, worst first:")
        printTable(
            header: ["DEVICE", "ROOM", "CHAIN PROVEN", "AGE", "MAX", "BY", "LINK (LAST SEEN)"],
            rows: rows.map { $0.row(zone: view.timeZone) })
        if !residents.isEmpty {
            print()
            print("Residents (their worst device):")
            printTable(
                header: ["RESIDENT", "ROOM", "DEVICE", "CHAIN PROVEN", "AGE"],
                rows: residents.map {
                    [
                        $0.resident.displayName, $0.resident.room, $0.worst.id,
                        $0.worst.provenText(zone: view.timeZone), $0.worst.ageText,
                    ]
                })
        }
    }
}

/// One device's proof.
private struct ProofRow {
    var id: String
    var room: String
    var resident: String?
    var state: SourceState?
    var maxAge: Double?
    var ageDays: Double?

    init(id: String, site: Site, configured: Site?, state: SourceState?, now: Date) {
        self.id = id
        let device = site.device(id)
        room = device?.room ?? "-"
        resident = device.flatMap { site.resident(inRoom: $0.room)?.id }
        self.state = state
        maxAge = device.flatMap { configured?.proof.maxAge(profile: $0.profile) }
        ageDays = state?.chainProvenAt.map { now.timeIntervalSince($0) / 86_400 }
    }

    var expired: Bool { state?.proofExpired ?? false }

    /// Expired first, then never proven, then the oldest proof.
    static func worseFirst(_ a: ProofRow, _ b: ProofRow) -> Bool {
        if a.expired != b.expired { return a.expired }
        switch (a.ageDays, b.ageDays) {
        case (nil, nil): return a.id < b.id
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x == y ? a.id < b.id : x > y
        }
    }

    var ageText: String {
        guard let ageDays else { return "never" }
        return ageDays < 1 ? String(format: "%.0f h", ageDays * 24) : String(format: "%.1f d", ageDays)
    }

    func provenText(zone: TimeZone) -> String {
        state?.chainProvenAt.map { RFC3339.string(from: $0, in: zone) } ?? "never"
    }

    func row(zone: TimeZone) -> [String] {
        [
            id + (expired ? " (EXPIRED)" : ""), room, provenText(zone: zone), ageText,
            maxAge.map { String(format: "%.0f d", $0 / 86_400) } ?? "-", state?.chainProof ?? "-",
            state?.lastSeen.map { RFC3339.string(from: $0, in: zone) } ?? "never",
        ]
    }

    func object(zone: TimeZone) -> [String: Any] {
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
private struct ResidentProof {
    var resident: Resident
    var worst: ProofRow

    func object(zone: TimeZone) -> [String: Any] {
        [
            "id": resident.id, "name": resident.displayName, "room": resident.room, "worst_device": worst.id,
            "chain_proven_at": worst.state?.chainProvenAt.map { RFC3339.string(from: $0, in: zone) as Any } ?? NSNull(),
            "chain_age_days": worst.ageDays.map { ($0 * 100).rounded() / 100 as Any } ?? NSNull(),
            "expired": worst.expired,
        ]
    }
}
