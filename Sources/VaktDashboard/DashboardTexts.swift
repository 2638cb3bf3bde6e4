import Foundation
import VaktCore

/// The dashboard's words, in the site's language (Norwegian bokmål or English).
struct DashboardTexts {
    let site: Site
    private var nb: Bool { site.language == .norwegianBokmal }
    private var messages: Messages { Messages(site: site) }

    func kind(_ kind: String) -> String { messages.kindName(kind) }
    func severity(_ severity: Severity) -> String { messages.severityName(severity) }

    func state(_ alarm: AlarmSnapshot) -> String {
        switch alarm.state {
        case .raised: nb ? "UBESVART" : "UNANSWERED"
        case .acknowledged: (nb ? "kvittert " : "acknowledged ") + person(alarm.acknowledgedBy)
        case .onsite: (nb ? "tilstede " : "on site ") + person(alarm.onsiteBy ?? alarm.acknowledgedBy)
        case .resolved: nb ? "avsluttet" : "resolved"
        }
    }

    /// A staff member's first name (the id when unknown): who has the alarm, at a glance.
    func person(_ id: String?) -> String {
        guard let id else { return "" }
        return site.staffMember(id)?.name.split(separator: " ").first.map(String.init) ?? id
    }

    func done(_ action: Command.Action, _ alarm: String) -> String {
        switch (action, nb) {
        case (.acknowledge, true): "\(alarm) er kvittert – du har den"
        case (.acknowledge, false): "\(alarm) acknowledged – it is yours"
        case (.onsite, true): "\(alarm): du er registrert tilstede"
        case (.onsite, false): "\(alarm): you are recorded on site"
        case (.resolve, true): "\(alarm) er avsluttet"
        case (.resolve, false): "\(alarm) resolved"
        case (.reopen, true): "\(alarm) er gjenåpnet"
        case (.reopen, false): "\(alarm) reopened"
        }
    }

    var title: String { "Vakt" }
    func signedIn(_ staff: Staff) -> String { (nb ? "Innlogget: " : "Signed in: ") + "\(staff.name) (\(staff.id))" }
    var hubOffline: String {
        nb
            ? "HUBEN SVARER IKKE – nye alarmer kommer ikke fram hit. Sjekk Vakt-boksen og ring rundt."
            : "THE HUB IS NOT RUNNING – new alarms will not reach this screen. Check the Vakt box and call round."
    }
    var brokerDown: String {
        nb
            ? "INGEN FORBINDELSE TIL MEGLEREN – skjermen viser ikke nye alarmer. Prøver igjen ..."
            : "NO CONNECTION TO THE BROKER – this screen shows no new alarms. Retrying ..."
    }
    func channelFailing(_ channel: String, _ reason: String) -> String {
        nb
            ? "VARSLING VIA \(channel) FEILER – telefoner får kanskje ikke alarmer. Følg med på skjermen. (\(reason))"
            : "NOTIFICATIONS VIA \(channel) ARE FAILING – phones may not get alarms. Watch this screen. (\(reason))"
    }
    var hubUnknown: String { nb ? "Venter på beskjed fra huben ..." : "Waiting to hear from the hub ..." }
    var hubOnline: String { nb ? "Huben kjører" : "Hub running" }
    var noAlarms: String { nb ? "Ingen åpne alarmer" : "No open alarms" }
    var columns: [String] {
        nb
            ? ["VENTET", "ALVOR", "ROM", "BEBOER", "TYPE", "STATUS", "TRINN"]
            : ["WAITING", "SEVERITY", "ROOM", "RESIDENT", "KIND", "STATE", "TIER"]
    }
    func notified(_ names: [String]) -> String {
        (nb ? "Varslet: " : "Notified: ") + (names.isEmpty ? "–" : names.joined(separator: ", "))
    }
    func nextTier(_ tier: Int, at clock: String, in wait: String) -> String {
        nb ? "Neste: trinn \(tier) kl. \(clock) (om \(wait))" : "Next: tier \(tier) at \(clock) (in \(wait))"
    }
    func nextOfKin(_ count: Int) -> String { nb ? "pårørende (\(count))" : "next of kin (\(count))" }
    var noEscalation: String { nb ? "Eskalering stoppet" : "Escalation stopped" }
    func silenced(_ who: String, until: String) -> String {
        nb ? "\(who) til \(until)" : "\(who) until \(until)"
    }
    func silencedLine(_ entries: [String]) -> String {
        (nb ? "STILLE (ingen alarmer): " : "SILENCED (no alarms): ") + entries.joined(separator: " · ")
    }
    func onDuty(_ names: [String]) -> String {
        (nb ? "På vakt: " : "On duty: ") + (names.isEmpty ? "–" : names.joined(separator: ", "))
    }
    func devicesFine(heard: Int, of total: Int) -> String {
        nb
            ? "Enheter: ingen frakoblet eller med lavt batteri (\(heard) av \(total) har meldt seg)"
            : "Devices: none offline or low on battery (\(heard) of \(total) have reported)"
    }
    func devicesTrouble(offline: [String], low: [String], unproven: [String] = [], testRooms: [String] = [])
        -> String
    {
        var parts: [String] = []
        if !testRooms.isEmpty {
            parts.append((nb ? "TESTMODUS: rom " : "TEST MODE: room ") + testRooms.joined(separator: ", "))
        }
        if !offline.isEmpty { parts.append((nb ? "FRAKOBLET: " : "OFFLINE: ") + offline.joined(separator: ", ")) }
        if !low.isEmpty { parts.append((nb ? "LAVT BATTERI: " : "LOW BATTERY: ") + low.joined(separator: ", ")) }
        if !unproven.isEmpty {
            parts.append((nb ? "IKKE TESTET: " : "NOT PROVEN: ") + unproven.joined(separator: ", "))
        }
        return (nb ? "Enheter – " : "Devices – ") + parts.joined(separator: " · ")
    }
    var keys: String {
        nb
            ? "↑↓ velg  a kvitter  p tilstede  r avslutt  t tidslinje  ? hjelp  q lukk"
            : "↑↓ select  a acknowledge  p on site  r resolve  t timeline  ? help  q quit"
    }
    var resolveTitle: String {
        nb
            ? "Avslutt alarm – velg utfall (↑↓, Enter; Esc avbryter)"
            : "Resolve – choose an outcome (↑↓, Enter; Esc cancels)"
    }
    var notePrompt: String {
        nb ? "Notat (valgfritt), Enter sender, Esc avbryter: " : "Note (optional), Enter sends, Esc cancels: "
    }
    func timelineTitle(_ alarm: String) -> String {
        nb ? "Tidslinje for \(alarm) (Esc tilbake)" : "Timeline of \(alarm) (Esc back)"
    }
    var waitingForHub: String { nb ? "Henter fra huben ..." : "Asking the hub ..." }
    var emptyTimeline: String { nb ? "Ingen oppføringer" : "No records" }
    var help: [String] {
        nb
            ? [
                "Hjelp (Esc tilbake)", "",
                "↑ ↓ eller j k   velg alarm",
                "a               kvitter: «jeg tar den» – stopper eskaleringen",
                "p               tilstede hos beboeren",
                "r               avslutt med utfall og notat",
                "t               tidslinjen til valgt alarm, fra revisjonsloggen",
                "T               test alarmkjeden for et rom (testmodus til testen er kvittert)",
                "q               lukk skjermen (alarmene går videre uten deg)",
                "",
                "Alarmene står med de mest alvorlige øverst, så den som har ventet lengst.",
                "Blir en kommando avvist, står grunnen nederst.",
            ]
            : [
                "Help (Esc back)", "",
                "↑ ↓ or j k      select an alarm",
                "a               acknowledge: \"I'm taking it\" – stops escalation",
                "p               on site with the resident",
                "r               resolve with an outcome and a note",
                "t               the selected alarm's timeline, from the audit log",
                "T               test a room's alarm chain (test mode until the test is answered)",
                "q               close the screen (alarms go on without you)",
                "",
                "Most severe alarms first, then the one waiting longest.",
                "When a command is refused, the reason shows at the bottom.",
            ]
    }
    func sending(_ action: Command.Action, _ alarm: String) -> String {
        switch (action, nb) {
        case (.acknowledge, true): "Kvitterer \(alarm) ..."
        case (.acknowledge, false): "Acknowledging \(alarm) ..."
        case (.onsite, true): "Melder tilstede på \(alarm) ..."
        case (.onsite, false): "Reporting on site for \(alarm) ..."
        case (.resolve, true): "Avslutter \(alarm) ..."
        case (.resolve, false): "Resolving \(alarm) ..."
        case (.reopen, true): "Gjenåpner \(alarm) ..."
        case (.reopen, false): "Reopening \(alarm) ..."
        }
    }
    /// A refusal in the site's language, from the hub's reason code; nil for codes it does
    /// not know (the hub's English message is shown then).
    func refusal(_ code: String, alarm: String, by: String?) -> String? {
        let who = person(by)
        switch (code, nb) {
        case ("already-acknowledged", true): return "\(alarm) er allerede kvittert av \(who)"
        case ("already-acknowledged", false): return "\(alarm) is already acknowledged by \(who)"
        case ("already-onsite", true): return "\(alarm): \(who) er allerede tilstede"
        case ("already-onsite", false): return "\(alarm): \(who) is already on site"
        case ("no-open-alarm", true): return "\(alarm) er ikke åpen lenger"
        case ("no-open-alarm", false): return "\(alarm) is no longer open"
        case ("unknown-staff", true): return "huben kjenner ikke deg (\(site.id)): sjekk stabslisten"
        case ("unknown-staff", false): return "the hub does not know you (\(site.id)): check the staff list"
        case ("needs-outcome", true): return "velg et utfall"
        case ("needs-outcome", false): return "choose an outcome"
        default: return nil
        }
    }

    func refused(_ reason: String) -> String { (nb ? "Avvist: " : "Refused: ") + reason }
    func notSent(_ reason: String) -> String { (nb ? "Ikke sendt: " : "Not sent: ") + reason }
    var noAlarmSelected: String { nb ? "Ingen alarm valgt" : "No alarm selected" }
    func testRoomPrompt(minutes: Int) -> String {
        nb
            ? "Test av alarmkjeden: rom i testmodus i \(minutes) min (Enter starter, Esc avbryter): "
            : "Chain test: room to put in test mode for \(minutes) min (Enter starts, Esc cancels): "
    }
    var testRoomNote: String {
        nb
            ? "Alarmer fra rommet blir TEST-alarmer til teknisk vakt, aldri til pårørende. Utløs enheten og kvitter."
            : "Alarms from the room become TEST alarms to the technical policy, never to relatives. Trigger, then acknowledge."
    }
    func startingTest(_ room: String) -> String {
        nb ? "Starter test av rom \(room) ..." : "Starting a test of room \(room) ..."
    }
    func testStarted(_ room: String, minutes: Int) -> String {
        nb
            ? "Rom \(room) er i testmodus i \(minutes) min: utløs enheten og kvitter TEST-alarmen"
            : "Room \(room) is in test mode for \(minutes) min: trigger the device and acknowledge the TEST alarm"
    }
    func unreadableSnapshot(_ id: String) -> String {
        nb ? "Kunne ikke lese alarm \(id) fra huben" : "Could not read alarm \(id) from the hub"
    }
    var tooSmall: String { nb ? "Vinduet er for lite (minst 80×24)" : "The window is too small (80×24 at least)" }
}
