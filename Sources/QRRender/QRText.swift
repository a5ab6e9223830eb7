/// A QR symbol drawn with characters for a terminal, byte for byte as the `qrencode` CLI draws
/// its `-t` text types (qrencode 4.1's writeUTF8, writeASCII and writeANSI), so a user of one
/// gets the same picture from the other.
public enum QRTextType: String, Sendable, CaseIterable {
    /// Half blocks, two rows per line; light modules drawn (for a dark terminal).
    case utf8 = "UTF8"
    /// UTF8 with the colours set (white on black, bold) and reset on each line.
    case ansiUTF8 = "ANSIUTF8"
    /// Two spaces per module, coloured by ANSI background codes.
    case ansi = "ANSI"
    /// Two `#` per dark module, two spaces per light one.
    case ascii = "ASCII"
}

extension QRRenderer {
    /// `matrix` as text of `type` with `margin` modules of quiet zone.
    public static func text(_ matrix: QRMatrix, type: QRTextType, margin: Int) -> String {
        switch type {
        case .utf8: halfBlocks(matrix, margin: margin, colours: nil)
        case .ansiUTF8: halfBlocks(matrix, margin: margin, colours: ("\u{1B}[40;37;1m", "\u{1B}[0m"))
        case .ansi: ansi(matrix, margin: margin)
        case .ascii: ascii(matrix, margin: margin)
        }
    }

    private static func halfBlocks(_ matrix: QRMatrix, margin: Int, colours: (set: String, reset: String)?) -> String {
        let (full, up, down) = ("\u{2588}", "\u{2580}", "\u{2584}")
        let set = colours?.set ?? "", reset = colours?.reset ?? ""
        let width = matrix.size + 2 * margin
        var out = ""
        let marginLine = set + String(repeating: full, count: width) + reset + "\n"
        for _ in 0..<(margin / 2) { out += marginLine }
        var y = 0
        while y < matrix.size {
            out += set + String(repeating: full, count: margin)
            let hasSecond = y < matrix.size - 1
            for x in 0..<matrix.size {
                let top = matrix[x, y], bottom = hasSecond && matrix[x, y + 1]
                out += top ? (bottom ? " " : down) : (bottom ? up : full)
            }
            out += String(repeating: full, count: margin) + reset + "\n"
            y += 2
        }
        for _ in 0..<(margin / 2) { out += marginLine }
        return out
    }

    private static func ascii(_ matrix: QRMatrix, margin: Int) -> String {
        let width = (matrix.size + 2 * margin) * 2
        let blank = String(repeating: " ", count: width) + "\n"
        var out = String(repeating: blank, count: margin)
        for y in 0..<matrix.size {
            out += String(repeating: " ", count: margin * 2)
            for x in 0..<matrix.size { out += matrix[x, y] ? "##" : "  " }
            out += String(repeating: " ", count: margin * 2) + "\n"
        }
        return out + String(repeating: blank, count: margin)
    }

    private static func ansi(_ matrix: QRMatrix, margin: Int) -> String {
        let white = "\u{1B}[47m", black = "\u{1B}[40m", reset = "\u{1B}[0m\n"
        let width = (matrix.size + 2 * margin) * 2
        let blank = white + String(repeating: " ", count: width) + reset
        var out = String(repeating: blank, count: margin)
        for y in 0..<matrix.size {
            out += white + String(repeating: "  ", count: margin)
            var dark = false
            for x in 0..<matrix.size {
                if matrix[x, y] != dark {
                    dark = matrix[x, y]
                    out += dark ? black : white
                }
                out += "  "
            }
            if dark { out += white }
            out += String(repeating: "  ", count: margin) + reset
        }
        return out + String(repeating: blank, count: margin)
    }
}
