import CZBar
import GS1
import Imaging

/// Turns raw zbar results into checked, normalised symbols.
enum SymbolFilter {
    static func accept(_ raw: [ZBarSymbol], pass: String, mapping: Homography, symbologies: Set<Symbology>)
        -> [DecodedSymbol]
    {
        var symbols: [DecodedSymbol] = []
        for item in raw {
            guard let symbol = normalise(item, pass: pass, mapping: mapping), symbologies.contains(symbol.symbology)
            else { continue }
            if !symbols.contains(where: { $0.symbology == symbol.symbology && $0.bytes == symbol.bytes }) {
                symbols.append(symbol)
            }
        }
        return dropOverlapping(dropPhantoms(symbols))
    }

    /// Two different 1-D reads of the same bars (a digit's parity misread on a few scan lines,
    /// giving an EAN-13 for a UPC-A whose check digit happens to hold): where two outlines
    /// share most of their extent one way and touch the other way, only the read seen on more
    /// scan lines is kept.
    static func dropOverlapping(_ symbols: [DecodedSymbol]) -> [DecodedSymbol] {
        let linear = symbols.filter(\.symbology.isLinear)
        guard linear.count > 1 else { return symbols }
        return symbols.filter { symbol in
            guard symbol.symbology.isLinear else { return true }
            return !linear.contains { other in
                other.outlinePoints > symbol.outlinePoints && sameBars(symbol.polygon, other.polygon)
            }
        }
    }

    /// Whether two 1-D outlines cover the same bars: they overlap along one axis by at least half
    /// the shorter extent and lie within a few pixels of each other along the other.
    static func sameBars(_ a: [Point], _ b: [Point], margin: Double = 8) -> Bool {
        let (ax0, ay0, ax1, ay1) = bounds(a, margin: 0), (bx0, by0, bx1, by1) = bounds(b, margin: 0)
        let xOverlap = min(ax1, bx1) - max(ax0, bx0), yOverlap = min(ay1, by1) - max(ay0, by0)
        let shorterX = min(ax1 - ax0, bx1 - bx0), shorterY = min(ay1 - ay0, by1 - by0)
        return (xOverlap >= 0.5 * shorterX && yOverlap >= -margin)
            || (yOverlap >= 0.5 * shorterY && xOverlap >= -margin)
    }

    /// Maps zbar's type to ours, checks the payload's structure, and reports UPC-A as 12 digits and UPC-E as 8.
    static func normalise(_ item: ZBarSymbol, pass: String, mapping: Homography) -> DecodedSymbol? {
        var bytes = item.bytes
        let symbology: Symbology
        switch item.type {
        case ZBAR_QRCODE: symbology = .qr
        case ZBAR_CODE128: symbology = .code128
        case ZBAR_EAN8: symbology = .ean8
        case ZBAR_UPCE: symbology = .upce
        case ZBAR_UPCA: symbology = .upca
        case ZBAR_EAN13:
            // An EAN-13 with a leading zero is a UPC-A; report its 12 digits.
            if bytes.first == UInt8(ascii: "0") {
                bytes.removeFirst()
                symbology = .upca
            } else {
                symbology = .ean13
            }
        default: return nil
        }
        guard !bytes.isEmpty else { return nil }
        if symbology.isLinear, symbology != .code128 {
            guard let text = String(validating: bytes, as: UTF8.self), text.allSatisfy(\.isASCII) else { return nil }
            let expected = [Symbology.ean13: 13, .upca: 12, .ean8: 8, .upce: 8][symbology]
            guard text.count == expected else { return nil }
            let full = symbology == .upce ? GS1Check.expandUPCE(text) : text
            guard let digits = full, GS1Check.isValid(digits) else { return nil }
        }
        var polygon = item.polygon.map { mapping.apply(Point(x: $0.x + 0.5, y: $0.y + 0.5)) }
        if symbology.isLinear {
            // zbar gives a 1-D code one point per scan line; report the box around them.
            let (x0, y0, x1, y1) = bounds(polygon, margin: 0)
            polygon = [Point(x: x0, y: y0), Point(x: x1, y: y0), Point(x: x1, y: y1), Point(x: x0, y: y1)]
        }
        var symbol = DecodedSymbol(
            symbology: symbology, bytes: bytes, text: PayloadText.decode(bytes), polygon: polygon, pass: pass,
            outlinePoints: item.polygon.count)
        symbol.zbarXML = item.xml
        return symbol
    }

    /// zbar sometimes reads a UPC-E or EAN-8 inside the bars of a longer code: a short symbol whose
    /// centre lies inside a longer symbol's outline is dropped.
    static func dropPhantoms(_ symbols: [DecodedSymbol]) -> [DecodedSymbol] {
        let long = symbols.filter { [.ean13, .upca, .code128].contains($0.symbology) }
        guard !long.isEmpty else { return symbols }
        return symbols.filter { symbol in
            guard symbol.symbology == .upce || symbol.symbology == .ean8 else { return true }
            let c = centre(symbol.polygon)
            return !long.contains { contains(bounds($0.polygon, margin: 8), c) }
        }
    }

    static func centre(_ polygon: [Point]) -> Point {
        guard !polygon.isEmpty else { return Point(x: 0, y: 0) }
        let n = Double(polygon.count)
        return Point(x: polygon.map(\.x).reduce(0, +) / n, y: polygon.map(\.y).reduce(0, +) / n)
    }

    static func bounds(_ polygon: [Point], margin: Double) -> (Double, Double, Double, Double) {
        let xs = polygon.map(\.x), ys = polygon.map(\.y)
        return ((xs.min() ?? 0) - margin, (ys.min() ?? 0) - margin, (xs.max() ?? 0) + margin, (ys.max() ?? 0) + margin)
    }

    static func contains(_ box: (Double, Double, Double, Double), _ p: Point) -> Bool {
        p.x >= box.0 && p.x <= box.2 && p.y >= box.1 && p.y <= box.3
    }
}
