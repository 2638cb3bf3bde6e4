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
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                body.append("<h\(level)>\(escape(text))</h\(level)>")
            case .paragraph(let lines):
                body.append("<p>" + lines.map(escape).joined(separator: "<br>") + "</p>")
            case .table(let header, let rows):
                var html =
                    "<table><thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
                for row in rows { html += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
                body.append(html + "</tbody></table>")
            case .chart(let title, let values, let labels, _):
                body.append(Self.barChart(values: values, labels: labels.map(escape), title: escape(title)))
            }
        }
        let words = self.words
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

    /// A bar chart as inline SVG, one bar per value with its label below and count above;
    /// `labels` and `title` already escaped.
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
