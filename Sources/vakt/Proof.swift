import ArgumentParser
import Foundation
import VaktCore
import VaktReports
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
        let (site, store, view) = try location.open()
        let states = try DataOption.sources(in: store)
        let table = ProofTable(site: view, configured: site, states: states, now: Date())
        if json {
            try DataOption.printJSON(table.object(zone: view.timeZone))
            return
        }
        guard !table.devices.isEmpty else {
            print("No devices configured or watched.")
            return
        }
        print("Devices, worst first:")
        printTable(header: DeviceProof.header, rows: table.devices.map { $0.row(zone: view.timeZone) })
        if !table.residents.isEmpty {
            print()
            print("Residents (their worst device):")
            printTable(header: ResidentProof.header, rows: table.residents.map { $0.row(zone: view.timeZone) })
        }
    }
}
