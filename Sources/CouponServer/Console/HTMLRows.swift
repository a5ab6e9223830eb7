/// Table rows written as HTML here rather than by the template engine: a list page spends most
/// of its time in swift-mustache's per-value lookups (docs/benchmarks.md), and these rows are
/// the bulk of a list. Every text and attribute goes through ``HTML/escape(_:)``; the template writes
/// the result raw (`{{{rows}}}`), and nothing else is written raw.
enum HTMLRows {
    enum Cell {
        case text(String)
        /// A link to a console page (`href` is a path of this console, escaped as well).
        case link(String, String)
    }

    static func rows(_ rows: [[Cell]]) -> String {
        var html = ""
        html.reserveCapacity(rows.count * 200)
        for row in rows {
            html += "<tr>"
            for cell in row {
                switch cell {
                case .text(let text): html += "<td>" + HTML.escape(text) + "</td>"
                case .link(let href, let text): html += "<td><a href=\"" + HTML.escape(href) + "\">" + HTML.escape(text) + "</a></td>"
                }
            }
            html += "</tr>\n"
        }
        return html
    }
}
