import Foundation
import VaktCore

extension ResponseReport {
    /// One self-contained HTML page (no scripts, no external files): the tables of
    /// ``markdown()`` and the two charts as inline SVG.
    public func html() -> String {
        var body: [String] = []
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func table(_ header: [String], _ rows: [[String]]) {
            var html = "<table><thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for row in rows { html += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
            body.append(html + "</tbody></table>")
        }
        body.append("<h1>Response report: \(escape(siteName))</h1>")
        body.append(
            "<p>Period: \(escape(ReportFormat.periodText(self))). Made \(escape(RFC3339.string(from: generatedAt, in: zone))).<br>"
                + "Targets: acknowledged within \(ReportFormat.duration(settings.acknowledgeTarget)), on site within \(ReportFormat.duration(settings.onsiteTarget)). Percentiles are nearest-rank.</p>"
        )
        body.append(
            "<p>Care alarms: \(overall.alarms). Technical alarms: \(technical.reduce(0) { $0 + $1.count }). Chain tests (left out of all statistics): \(tests), \(testsAnswered) answered.</p>"
        )
        body.append("<h2>Response times</h2>")
        table(["group"] + ReportFormat.responseHeader, [["all"] + ReportFormat.responseCells(overall)])
        for (title, groups) in [("By alarm kind", byKind), ("By shift", byShift), ("By resident", byResident)]
        where !groups.isEmpty {
            body.append("<h3>\(title)</h3>")
            table(
                ["group"] + ReportFormat.responseHeader, groups.map { [$0.key] + ReportFormat.responseCells($0.stats) })
        }
        body.append("<h2>Time to acknowledge</h2>")
        body.append(
            Self.barChart(
                values: acknowledgeHistogram, labels: Self.acknowledgeBucketLabels,
                title: "Care alarms by time to acknowledge"))
        body.append("<h2>Alarms per hour of the day</h2>")
        body.append(
            Self.barChart(
                values: perHour, labels: (0..<24).map { String(format: "%02d", $0) },
                title: "Care alarms raised per local hour"))
        body.append("<h2>False alarms (worst first)</h2>")
        let nuisanceHeader = ["alarms", "false", "accidental", "rate"]
        func nuisanceCells(_ row: NuisanceRow) -> [String] {
            [
                row.id, String(row.alarms), String(row.falseAlarms), String(row.accidental),
                ReportFormat.percent(row.rate),
            ]
        }
        table(["device"] + nuisanceHeader, nuisanceByDevice.map(nuisanceCells))
        table(["resident"] + nuisanceHeader, nuisanceByResident.map(nuisanceCells))
        body.append("<h2>Device uptime (worst first)</h2>")
        table(
            ["device", "uptime", "offline", "outages"],
            uptime.map {
                [$0.id, ReportFormat.percent($0.uptime), ReportFormat.duration($0.offlineSeconds), String($0.outages)]
            })
        if !technical.isEmpty {
            body.append("<h2>Technical alarms</h2>")
            table(["kind", "count"], technical.map { [$0.kind, String($0.count)] })
        }
        body.append("<h2>Proof of the alarm chain (as of \(escape(RFC3339.string(from: generatedAt, in: zone))))</h2>")
        table(DeviceProof.header, proof.devices.map { $0.row(zone: zone) })
        table(ResidentProof.header, proof.residents.map { $0.row(zone: zone) })
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Response report: \(escape(siteName))</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
            th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            svg text { font-size: 11px; fill: #222; }
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    /// A bar chart as inline SVG, one bar per value with its label below and count above.
    static func barChart(values: [Int], labels: [String], title: String) -> String {
        let barWidth = 28
        let gap = 6
        let height = 160
        let top = max(values.max() ?? 0, 1)
        let width = values.count * (barWidth + gap) + gap
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height + 40)\" role=\"img\" aria-label=\"\(title)\"><title>\(title)</title>"
        for (index, value) in values.enumerated() {
            let x = gap + index * (barWidth + gap)
            let barHeight = value * height / top
            let y = height - barHeight + 16
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(barHeight)\" fill=\"#3b6ea8\"/>"
            svg += "<text x=\"\(x + barWidth / 2)\" y=\"\(y - 3)\" text-anchor=\"middle\">\(value)</text>"
            svg += "<text x=\"\(x + barWidth / 2)\" y=\"\(height + 32)\" text-anchor=\"middle\">\(labels[index])</text>"
        }
        return svg + "</svg>"
    }
}
