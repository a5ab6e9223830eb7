/// Terminal and printer column widths: East Asian wide and full-width characters take two columns,
/// combining marks and format characters none, so Chinese product names line up.
enum DisplayWidth {
    static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v) {
            return 0
        }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    /// The longest prefix of `text` that fits in `columns`.
    static func prefix(_ text: String, fitting columns: Int) -> (String, rest: String) {
        var used = 0
        var index = text.startIndex
        while index < text.endIndex {
            let width = of(String(text[index]))
            if used + width > columns { break }
            used += width
            index = text.index(after: index)
        }
        return (String(text[..<index]), String(text[index...]))
    }

    /// A token without spaces (an id, a link) cut into lines of at most `columns`, each break
    /// before or after a separator (`/ . _ - ? = &`) so no part between two is split; a part
    /// wider than a line alone is cut at the edge.
    static func wrapToken(_ token: String, columns: Int) -> [String] {
        var parts: [String] = []
        var part = ""
        for character in token {
            if "/._-?=&".contains(character) {
                if !part.isEmpty { parts.append(part) }
                parts.append(String(character))
                part = ""
            } else {
                part.append(character)
            }
        }
        if !part.isEmpty { parts.append(part) }
        var lines: [String] = []
        var line = ""
        for part in parts {
            if of(line) + of(part) <= columns {
                line += part
                continue
            }
            if !line.isEmpty { lines.append(line) }
            line = part
            while of(line) > columns {
                let (head, rest) = prefix(line, fitting: columns)
                lines.append(head)
                line = rest
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` cut into lines of at most `columns` (at least one line).
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = []
        var rest = text
        repeat {
            var (line, remainder) = prefix(rest, fitting: columns)
            if line.isEmpty, let first = remainder.first {  // a character wider than the line
                line = String(first)
                remainder = String(remainder.dropFirst())
            } else if !remainder.isEmpty, remainder.first != " ", let space = line.lastIndex(of: " "),
                DisplayWidth.of(String(line[..<space])) >= columns / 2
            {
                // Break at the last space when that keeps at least half the line.
                remainder = String(line[line.index(after: space)...]) + remainder
                line = String(line[..<space])
            }
            if remainder.first == " " { remainder.removeFirst() }
            lines.append(line)
            rest = remainder
        } while !rest.isEmpty
        return lines
    }
}
