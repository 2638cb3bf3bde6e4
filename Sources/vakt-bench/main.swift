import Foundation
import VaktConfig
import VaktCore
import VaktDashboard

// Micro-benchmarks for scripts/bench, printed as one JSON object per line.
//   vakt-bench dashboard-frame --config DIR [--alarms 500] [--iterations 300] [--output FILE]
//     Lays out (and, in a terminal, draws) a dashboard frame with N open alarms.
//   vakt-bench decode --devices DIR [--seconds 1]
//     Decode throughput per device profile, from its recorded samples.
//   vakt-bench audit [--records 1000000] [--dir DIR]
//     Audit append, verify and export rates on a store of N records.
//   vakt-bench notify --receiver scripts/webhook-receiver [--notifications 2000] [--paced 200]
//     Outbox to webhook: notifications/s in a burst, and outbox-to-delivered p50/p99 at a pace.
//   vakt-bench engine [--events 200000]
//     Rule engine throughput: 100 rules, 1,000 devices, and the same stream with 10 rules.

func argument(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    return Int(arguments[index + 1]) ?? value
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func milliseconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "audit" {
    try AuditBench.run()
    exit(0)
}
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "notify" {
    try await NotifyBench.run()
    exit(0)
}
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "engine" {
    try EngineBench.run()
    exit(0)
}
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "decode" {
    try DecodeBench.run()
    exit(0)
}
guard CommandLine.arguments.count > 1, CommandLine.arguments[1] == "dashboard-frame",
    let configIndex = CommandLine.arguments.firstIndex(of: "--config"), configIndex + 1 < CommandLine.arguments.count
else {
    FileHandle.standardError.write(
        Data(
            """
            usage: vakt-bench dashboard-frame --config DIR [--alarms N] [--iterations N] [--output FILE]
                   vakt-bench decode --devices DIR [--seconds N]
                   vakt-bench audit [--records N] [--dir DIR]
                   vakt-bench engine [--events N]
                   vakt-bench notify --receiver PATH [--notifications N] [--paced N]

            """.utf8))
    exit(2)
}
let site = try SiteLoader.load(directory: CommandLine.arguments[configIndex + 1])
let count = argument("--alarms", default: 500)
let iterations = argument("--iterations", default: 300)
let now = Date()
var model = DashboardModel(site: site, staff: site.staff[0], requestPrefix: "bench", alertsEnabled: false)
model.brokerConnected = true
model.receiveHubState(Array("online".utf8))
for n in 1...count {
    let room = site.rooms[n % site.rooms.count].id
    var alarm = Alarm(
        id: "A\(n)", kind: n % 3 == 0 ? "sos" : "fall", severity: n % 4 == 0 ? .high : .critical,
        resident: site.resident(inRoom: room)?.id, room: room, device: "bench", rule: "fall", policy: "standard",
        raisedAt: now.addingTimeInterval(-Double(n) * 7))
    alarm.notified = site.staff.map(\.id)
    alarm.escalatesAt = now.addingTimeInterval(60)
    _ = model.receiveAlarm(id: alarm.id, payload: Array(AlarmSnapshot(alarm, site: site).json()))
}
for _ in 0..<(count / 2) { _ = model.handle(.down) }

var layout: [Double] = []
for _ in 0..<iterations {
    layout.append(milliseconds { _ = DashboardLayout.render(model, width: 100, height: 30, now: now) })
}
var result: [String: Any] = [
    "alarms": count, "iterations": iterations, "layout_median_ms": (median(layout) * 1000).rounded() / 1000,
    "layout_max_ms": ((layout.max() ?? 0) * 1000).rounded() / 1000,
]
if let terminal = try? Terminal() {
    var draw: [Double] = []
    for _ in 0..<iterations {
        draw.append(
            milliseconds {
                let size = terminal.size
                terminal.draw(DashboardLayout.render(model, width: size.width, height: size.height, now: now))
            })
    }
    terminal.close()
    result["layout_and_draw_median_ms"] = (median(draw) * 1000).rounded() / 1000
    result["layout_and_draw_max_ms"] = ((draw.max() ?? 0) * 1000).rounded() / 1000
}
let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
// In a terminal stdout is the screen, so the result can go to a file instead.
if let index = CommandLine.arguments.firstIndex(of: "--output"), index + 1 < CommandLine.arguments.count {
    try data.write(to: URL(fileURLWithPath: CommandLine.arguments[index + 1]))
} else {
    print(String(decoding: data, as: UTF8.self))
}
