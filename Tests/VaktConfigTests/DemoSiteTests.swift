import Foundation
import Testing
import VaktCore

@testable import VaktConfig

@Suite struct DemoSiteTests {
    @Test func theDemoConfigLoadsWithoutErrors() throws {
        let site: Site
        do {
            site = try SiteLoader.load(directory: Repository.demoConfig)
        } catch {
            Issue.record("the demo config has errors:\n\(error)")
            return
        }
        #expect(site.id == "marker")
        #expect(site.timeZone.identifier == "Europe/Oslo")
        #expect(site.language == .norwegianBokmal)
        #expect(site.broker.clientID == "vakt-marker")
        #expect(site.dataDirectory == Repository.demoConfig + "/data")
        #expect(site.rooms.map(\.id) == ["101", "102", "103", "104", "105", "106", "107", "108", "tech"])
        #expect(site.residents.count == 8)
        #expect(Set(site.residents.map(\.room)).count == 8, "one resident per room")
        #expect(site.staff.filter(\.onDuty).map(\.id) == ["ns1", "ns2", "sp1", "op1"])
        #expect(site.group("night-staff")?.members == ["ns1", "ns2", "ns3"])
        #expect(site.devices.count == 23)
        #expect(site.bridges.map(\.id) == ["zigbee", "receiver"])
        #expect(site.bridge(of: try #require(site.device("room101-door")))?.id == "zigbee")
        #expect(site.device(receiver: "receiver", account: "1107", zone: "003")?.id == "room107-alarm")
        #expect(
            site.device("room108-dispenser")?.link == .serial(port: Repository.demoConfig + "/run/ttyVAKT-dispenser"))
        #expect(site.device(onTopic: "zigbee2mqtt/room104/fall")?.profile == "zigbee2mqtt/heiman-hs2fd-ef1")
        #expect(site.device(onTopic: "zigbee2mqtt/room103/fall")?.profile == "zigbee2mqtt/tuya-mir-he200-ty-fall")
        #expect(site.profiles.count == 15)
        #expect(
            site.channel("webhook")
                == Channel(
                    id: "webhook", kind: .webhook, url: "http://127.0.0.1:8088/vakt", timeoutSeconds: 5, maxAttempts: 6)
        )
        let policy = try #require(site.policy("standard"))
        #expect(policy.tiers.map(\.afterSeconds) == [0, 120, 300])
        #expect(policy.tiers[0].notify == [.group("night-staff", onDutyOnly: true)])
        #expect(policy.tiers[2].notify.contains(.nextOfKin))
        #expect(policy.repeatSeconds == 300)
        #expect(site.rules.prefix(3).map(\.id) == ["fall", "fall-suspected", "sos"])
        #expect(site.rules[1].severity == .high)
        let offline = try #require(site.rules.first { $0.id == "device-offline" })
        #expect(offline.policy == "technical" && offline.clears == [.deviceOnline] && offline.isTechnical)
        #expect(
            site.rules.filter(\.isTechnical).map(\.id) == [
                "bridge-offline", "device-offline", "low-battery", "tamper", "dispenser-jammed", "refill-low",
                "proof-expired",
            ])
        #expect(site.proof.maxAge(profile: "zigbee2mqtt/tuya-ts0215a-sos") == 30.0 * 86_400)
        #expect(site.proof.maxAge(profile: "zigbee2mqtt/heiman-hs2fd-ef1") == 7.0 * 86_400)
    }

    @Test func everyStaffMemberAndNextOfKinCanBeReachedOnTheWebhook() throws {
        let site = try SiteLoader.load(directory: Repository.demoConfig)
        for person in site.staff { #expect(person.contacts.contains { $0.channel == "webhook" && $0.address != nil }) }
        let kin = site.residents.flatMap(\.nextOfKin)
        for person in kin { #expect(person.contacts.contains { $0.channel == "webhook" && $0.address != nil }) }
        #expect(kin.contains { !$0.consentNotify })
        #expect(kin.contains { $0.consentHealthDetail })
    }

    @Test func theSummaryNamesTheSiteAndCountsWhatItHolds() throws {
        let site = try SiteLoader.load(directory: Repository.demoConfig)
        let summary = SiteSummary.describe(site)
        #expect(summary.contains("Marker bo- og servicesenter (demo)"))
        #expect(summary.contains("Europe/Oslo"))
        #expect(summary.contains("9 rooms"))
        #expect(summary.contains("8 residents"))
        #expect(summary.contains("5 staff (4 on duty)"))
        #expect(summary.contains("23 devices"))
        #expect(summary.contains("6 zigbee2mqtt/aqara-mccgq11lm"))
        #expect(summary.contains("3 zigbee2mqtt/heiman-hs2fd-ef1"))
        #expect(summary.contains("standard (tiers after 0s, 2m, 5m, repeating every 5m)"))
        #expect(summary.contains("webhook (webhook)"))
        #expect(!summary.contains("\n"), "one paragraph")
    }
}

@Suite struct DemoSiteEditTests {
    /// `vakt check` on the demo with one room id changed names the file, the position and the id.
    @Test func aDeviceInAMissingRoomIsReportedInDevicesYaml() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for name in try FileManager.default.contentsOfDirectory(atPath: Repository.demoConfig)
        where name.hasSuffix(".yaml") {
            var text = try String(contentsOfFile: Repository.demoConfig + "/" + name, encoding: .utf8)
            if name == "devices.yaml" { text = text.replacingOccurrences(of: "room: \"105\"", with: "room: \"999\"") }
            text = text.replacingOccurrences(of: "profiles: ../../Devices", with: "profiles: \(Repository.devices)")
            try directory.write(name, text)
        }
        do {
            _ = try SiteLoader.load(directory: directory.path)
            Issue.record("the edited demo loaded")
        } catch {
            let file = directory.path + "/devices.yaml"
            #expect(
                error.errors.map(\.description) == [
                    "\(file):90:11: devices[12].room: unknown room '999'",
                    "\(file):94:11: devices[13].room: unknown room '999'",
                    "\(file):98:11: devices[14].room: unknown room '999'",
                ])
        }
    }
}
