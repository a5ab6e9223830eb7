/// Table rows written as HTML here rather than by the template engine: a list page spends most
/// of its time in swift-mustache's per-value lookups (docs/benchmarks.md), and these rows are
/// the bulk of a list. Every text and attribute goes through ``escape(_:)``; the template writes
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
                case .text(let text): html += "<td>" + escape(text) + "</td>"
                case .link(let href, let text): html += "<td><a href=\"" + escape(href) + "\">" + escape(text) + "</a></td>"
                }
            }
            html += "</tr>\n"
        }
        return html
    }

    /// `&`, `<`, `>`, `"` and `'` as character references (text and quoted attributes alike).
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
