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
        let words = self.words
        let made = RFC3339.string(from: generatedAt, in: zone)
        body.append("<h1>\(escape(words.title(siteName)))</h1>")
        body.append(
            "<p>\(escape(ReportFormat.periodText(self))) \(escape(words.made(made)))<br>"
                + escape(
                    words.targets(
                        ReportFormat.duration(settings.acknowledgeTarget), ReportFormat.duration(settings.onsiteTarget))
                )
                + "</p>")
        body.append(
            "<p>\(escape(words.counts(care: overall.alarms, technical: technicalCount, tests: tests, answered: testsAnswered)))</p>"
        )
        body.append("<h2>\(escape(words.responseTimes))</h2>")
        table([words.group] + words.responseHeader, [[words.all] + ReportFormat.responseCells(overall)])
        for (title, section, groups) in groupedTables where !groups.isEmpty {
            body.append("<h3>\(escape(title))</h3>")
            table(
                [words.group] + words.responseHeader,
                groups.map { [label($0.key, section: section)] + ReportFormat.responseCells($0.stats) })
        }
        body.append("<h2>\(escape(words.timeToAcknowledge))</h2>")
        body.append(
            Self.barChart(values: acknowledgeHistogram, labels: Self.acknowledgeBucketLabels, title: words.ackChart))
        body.append("<h2>\(escape(words.perHour))</h2>")
        body.append(
            Self.barChart(values: perHour, labels: (0..<24).map { String(format: "%02d", $0) }, title: words.hourChart))
        body.append("<h2>\(escape(words.falseAlarms))</h2>")
        if nuisanceByDevice.isEmpty {
            body.append("<p>\(escape(words.noCareAlarms))</p>")
        } else {
            table([words.device] + words.nuisanceHeader, nuisanceByDevice.map { nuisanceCells($0, section: "device") })
            table(
                [words.resident] + words.nuisanceHeader,
                nuisanceByResident.map { nuisanceCells($0, section: "resident") })
        }
        body.append("<h2>\(escape(words.uptime))</h2>")
        table(words.uptimeHeader, uptime.map(uptimeCells))
        if !technical.isEmpty {
            body.append("<h2>\(escape(words.technical))</h2>")
            table(words.technicalHeader, technical.map { [label($0.kind, section: "kind"), String($0.count)] })
        }
        body.append("<h2>\(escape(words.proof(made)))</h2>")
        table(words.deviceProofHeader, proof.devices.map { words.localise($0.row(zone: zone)) })
        table(words.residentProofHeader, proof.residents.map { words.localise($0.row(zone: zone)) })
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)"><head><meta charset="utf-8"><title>\(escape(words.title(siteName)))</title>
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
        let title = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
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
