import Imaging

/// How a QR symbol is drawn: pixels per module and the quiet zone around it.
public struct QRStyle: Sendable, Equatable {
    /// Pixels per module (qrencode's `-s`). Default 8: a phone screen shows it large enough to scan.
    public var moduleSize: Int
    /// Quiet zone in modules (qrencode's `-m`). Default 4, as the standard asks.
    public var margin: Int

    public init(moduleSize: Int = 8, margin: Int = 4) {
        self.moduleSize = moduleSize
        self.margin = margin
    }
}

/// Draws QR matrices as grey images, PNG files and SVG documents.
public enum QRRenderer {
    /// The symbol as a black-on-white image.
    public static func image(_ matrix: QRMatrix, style: QRStyle = QRStyle()) -> GreyImage {
        let s = style.moduleSize, side = (matrix.size + 2 * style.margin) * s
        var pixels = [UInt8](repeating: 255, count: side * side)
        pixels.withUnsafeMutableBufferPointer { dst in
            for my in 0..<matrix.size {
                for mx in 0..<matrix.size where matrix[mx, my] {
                    let x0 = (mx + style.margin) * s, y0 = (my + style.margin) * s
                    for y in y0..<(y0 + s) {
                        for x in x0..<(x0 + s) { dst[y * side + x] = 0 }
                    }
                }
            }
        }
        return GreyImage(width: side, height: side, pixels: pixels)
    }

    /// The symbol as a 1-bit PNG file.
    public static func png(_ matrix: QRMatrix, style: QRStyle = QRStyle()) throws(ImageWriteError) -> [UInt8] {
        try PNGWriter.encode(image(matrix, style: style), bilevel: true)
    }

    /// The symbol as an SVG document: one path of dark runs, sized in pixels like the PNG.
    public static func svg(_ matrix: QRMatrix, style: QRStyle = QRStyle()) -> String {
        let s = style.moduleSize, total = matrix.size + 2 * style.margin
        var path = ""
        for y in 0..<matrix.size {
            var x = 0
            while x < matrix.size {
                guard matrix[x, y] else { x += 1; continue }
                let start = x
                while x < matrix.size, matrix[x, y] { x += 1 }
                path += "M\(start + style.margin) \(y + style.margin)h\(x - start)v1h-\(x - start)z"
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(total * s)" height="\(total * s)" \
            viewBox="0 0 \(total) \(total)" shape-rendering="crispEdges">
            <rect width="\(total)" height="\(total)" fill="#fff"/>
            <path d="\(path)" fill="#000"/>
            </svg>

            """
    }

    /// The symbol as Encapsulated PostScript, as `qrencode -t EPS` writes it byte for byte: one
    /// unit square per dark module, scaled by the module size, rows from the top.
    public static func eps(_ matrix: QRMatrix, style: QRStyle = QRStyle()) -> String {
        let s = style.moduleSize, m = style.margin, total = (matrix.size + 2 * m) * s
        var points = ""
        for y in 0..<matrix.size {
            let row = m + matrix.size - y - 1
            for x in 0..<matrix.size where matrix[x, y] { points += "\(m + x) \(row) p " }
        }
        return """
            %!PS-Adobe-2.0 EPSF-1.2
            %%BoundingBox: 0 0 \(total) \(total)
            %%Pages: 1 1
            %%EndComments
            /p { moveto 0 1 rlineto 1 0 rlineto 0 -1 rlineto fill } bind def
            gsave
            1.000000 1.000000 1.000000 setrgbcolor
            \(total) \(total) scale
            0 0 p
            grestore
            0.000000 0.000000 0.000000 setrgbcolor
            \(s) \(s) scale
            \(points)
            %%EOF

            """
    }
}
