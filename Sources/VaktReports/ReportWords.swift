import VaktCore

/// The report's words in Norwegian (bokmål) or English. The CSV keeps English keys: it is
/// for machines.
struct ReportWords {
    let language: Language
    private var nb: Bool { language == .norwegianBokmal }

    func title(_ site: String) -> String { (nb ? "Responsrapport: " : "Response report: ") + site }
    func period(_ from: String, _ to: String, _ zone: String) -> String {
        nb ? "Periode: \(from) til \(to) (\(zone))." : "Period: \(from) to \(to) (\(zone))."
    }
    func made(_ at: String) -> String { nb ? "Laget \(at)." : "Made \(at)." }
    func targets(_ ack: String, _ onsite: String) -> String {
        nb
            ? "Mål: kvittert innen \(ack), tilstede innen \(onsite). Persentiler etter nærmeste rang."
            : "Targets: acknowledged within \(ack), on site within \(onsite). Percentiles are nearest-rank."
    }
    func counts(care: Int, technical: Int, tests: Int, answered: Int) -> String {
        nb
            ? "Omsorgsalarmer: \(care). Tekniske alarmer: \(technical). Kjedetester (holdt utenfor all statistikk): \(tests), \(answered) besvart."
            : "Care alarms: \(care). Technical alarms: \(technical). Chain tests (left out of all statistics): \(tests), \(answered) answered."
    }
    var responseTimes: String { nb ? "Responstider" : "Response times" }
    var byKind: String { nb ? "Etter alarmtype" : "By alarm kind" }
    var byShift: String { nb ? "Etter vakt" : "By shift" }
    var byResident: String { nb ? "Etter beboer" : "By resident" }
    var all: String { nb ? "alle" : "all" }
    var group: String { nb ? "gruppe" : "group" }
    var responseHeader: [String] {
        nb
            ? [
                "alarmer", "kvittert", "kvitt. p50", "kvitt. p90", "kvitt. maks", "tilstede p50", "tilstede p90",
                "tilstede maks", "avsluttet p50", "avsluttet p90", "avsluttet maks", "sen kvitt.", "sen tilstede",
            ]
            : [
                "alarms", "ack'd", "ack p50", "ack p90", "ack max", "onsite p50", "onsite p90", "onsite max",
                "resolve p50", "resolve p90", "resolve max", "late ack", "late onsite",
            ]
    }
    var timeToAcknowledge: String { nb ? "Tid til kvittering" : "Time to acknowledge" }
    var perHour: String { nb ? "Alarmer per time på døgnet" : "Alarms per hour of the day" }
    var hoursOfDay: String { nb ? "kl. 00-23; nattevakt" : "00-23 h; night hours" }
    var falseAlarms: String { nb ? "Falske alarmer (verst først)" : "False alarms (worst first)" }
    var noCareAlarms: String { nb ? "Ingen omsorgsalarmer i perioden." : "No care alarms in the period." }
    var device: String { nb ? "enhet" : "device" }
    var resident: String { nb ? "beboer" : "resident" }
    var nuisanceHeader: [String] {
        nb ? ["alarmer", "falske", "utilsiktet", "andel"] : ["alarms", "false", "accidental", "rate"]
    }
    var uptime: String { nb ? "Oppetid for enheter (verst først)" : "Device uptime (worst first)" }
    var uptimeHeader: [String] {
        nb ? ["enhet", "oppetid", "frakoblet", "utfall"] : ["device", "uptime", "offline", "outages"]
    }
    var technical: String { nb ? "Tekniske alarmer" : "Technical alarms" }
    var technicalHeader: [String] { nb ? ["type", "antall"] : ["kind", "count"] }
    func proof(_ at: String) -> String {
        nb ? "Alarmkjeden sist vist å virke (per \(at))" : "Proof of the alarm chain (as of \(at))"
    }
    var noDevices: String { nb ? "Ingen enheter konfigurert." : "No devices configured." }
    var deviceProofHeader: [String] {
        nb
            ? ["ENHET", "ROM", "KJEDE VIST", "ALDER", "MAKS", "HVORDAN", "LINK (SIST HØRT)"]
            : DeviceProof.header
    }
    var residentProofHeader: [String] {
        nb ? ["BEBOER", "ROM", "ENHET", "KJEDE VIST", "ALDER"] : ResidentProof.header
    }
    var never: String { nb ? "aldri" : "never" }
    var expired: String { nb ? "UTLØPT" : "EXPIRED" }
    var ackChart: String { nb ? "Omsorgsalarmer etter tid til kvittering" : "Care alarms by time to acknowledge" }
    var hourChart: String { nb ? "Omsorgsalarmer per time (lokal tid)" : "Care alarms raised per local hour" }

    /// The usual shift ids in the site's language; other ids as they are.
    func shift(_ id: String) -> String {
        guard nb else { return id }
        return ["day": "dag", "evening": "kveld", "night": "natt"][id] ?? id
    }
}
