import Imaging
import QRRender
import Testing

@testable import Scanning

/// The QR locator's parts and the 1-D result rules, each on its own.
@Suite("Locator parts and result rules")
struct LocatorPartsTests {
    @Test("the summed-area module rule agrees with the plain average around each module")
    func moduleMean() {
        var generator = SystemRandomNumberGenerator()
        let dim = 25
        let values = (0..<(dim * dim)).map { _ in Double(UInt8.random(in: 0...255, using: &generator)) }
        let dark = ModuleGrid(values: values, dim: dim).decide(radius: 4).dark
        for j in 0..<dim {
            for i in 0..<dim {
                var sum = 0.0, n = 0.0
                for y in max(0, j - 4)...min(dim - 1, j + 4) {
                    for x in max(0, i - 4)...min(dim - 1, i + 4) {
                        sum += values[y * dim + x]
                        n += 1
                    }
                }
                #expect(dark[j * dim + i] == (values[j * dim + i] < sum / n), "module \(i),\(j)")
            }
        }
    }

    @Test("a grid placed exactly on a rendered code scores near 1; shifted by a module and a half, far less")
    func gridScore() throws {
        let matrix = try QREncoder.encode(text: "https://cpn.example/c#K7QF2M9XABCDEFGHJKMNPQRST0", level: .medium)
        let px = 6.0, margin = 4.0
        let image = QRRenderer.image(matrix, style: QRStyle(moduleSize: Int(px), margin: Int(margin)))
        let exact = Homography(matrix: [px, 0, margin * px, 0, px, margin * px, 0, 0, 1])
        let shifted = Homography(matrix: [px, 0, (margin + 1.5) * px, 0, px, margin * px, 0, 0, 1])
        let onCode = GridFit.gridScore(image, exact, dim: matrix.size)
        let offCode = GridFit.gridScore(image, shifted, dim: matrix.size)
        #expect(onCode > 0.95)
        #expect(offCode < onCode / 2)
    }

    @Test("under strong perspective the other top-left is offered; for a square-on code, none")
    func otherOrdering() throws {
        func finder(_ x: Double, _ y: Double, _ module: Double) -> FinderPattern {
            FinderPattern(center: Point(x: x, y: y), moduleSize: module, count: 20)
        }
        // The three finders of fix-finderpattern-order.jpg (enlarged twice): the far one small,
        // the near one big, and the two longest sides within 1% of each other.
        let far = finder(246.6, 65.0, 11.6), left = finder(97.4, 229.9, 17.1), near = finder(385.1, 336.0, 21.1)
        let ranked = try #require(QRLocator.bestTriples([far, left, near]).first)
        #expect(ranked.0.center == far.center)
        let other = try #require(QRLocator.otherOrdering(ranked))
        #expect(other.0.center == left.center)
        // Clockwise like the ranked ordering: top-right follows top-left (y down).
        let cross =
            (other.1.center.x - other.0.center.x) * (other.2.center.y - other.0.center.y)
            - (other.1.center.y - other.0.center.y) * (other.2.center.x - other.0.center.x)
        #expect(cross > 0)
        // Square on: the hypotenuse is 41% longer than either leg.
        let square = try #require(
            QRLocator.bestTriples([finder(100, 100, 5), finder(300, 100, 5), finder(100, 300, 5)]).first)
        #expect(QRLocator.otherOrdering(square) == nil)
    }

    @Test("a grid whose fourth corner starts modules away climbs back onto the code")
    func climb() throws {
        let matrix = try QREncoder.encode(text: "https://cpn.example/c#K7QF2M9XABCDEFGHJKMNPQRST0", level: .medium)
        let px = 6.0, margin = 4.0, dim = Double(matrix.size)
        let image = QRRenderer.image(matrix, style: QRStyle(moduleSize: Int(px), margin: Int(margin)))
        func pixel(_ x: Double, _ y: Double) -> Point { Point(x: (margin + x) * px, y: (margin + y) * px) }
        let source = [
            Point(x: 3.5, y: 3.5), Point(x: dim - 3.5, y: 3.5), Point(x: 3.5, y: dim - 3.5),
            Point(x: dim - 6.5, y: dim - 6.5),
        ]
        let truth = pixel(dim - 6.5, dim - 6.5)
        for (dx, dy) in [(3.0, -2.0), (-2.0, -2.5), (2.5, 3.5), (-3.0, 3.0)] {
            let start = Point(x: truth.x + dx * px, y: truth.y + dy * px)
            var fit = try #require(
                GridFit(
                    binary: image, toBinary: .identity, dim: matrix.size, source: source,
                    target: [pixel(3.5, 3.5), pixel(dim - 3.5, 3.5), pixel(3.5, dim - 3.5), start], across: 10))
            let before = fit.score
            fit.climb(point: 3, steps: [2 * px], maxRounds: 10)
            fit.climb(point: 3, steps: [px, px / 3])
            let landed = QRLocator.dist(fit.target[3], truth)
            #expect(landed <= px / 2, "from (\(dx), \(dy)) modules: \(landed / px) modules off")
            #expect(fit.score > before && fit.score > 0.9, "score \(before) -> \(fit.score)")
        }
    }

    @Test("the alignment finder finds the pattern near its expected place, not a lone dark module")
    func alignmentPattern() throws {
        let matrix = try QREncoder.encode(text: String(repeating: "A", count: 40), level: .medium, version: 3)
        let px = 5.0, margin = 4.0
        let image = QRRenderer.image(matrix, style: QRStyle(moduleSize: Int(px), margin: Int(margin)))
        // Version 3: 29 modules, the alignment pattern's centre at module 22 (its centre pixel 22.5).
        let truth = Point(x: (margin + 22.5) * px, y: (margin + 22.5) * px)
        let found = AlignmentFinder.find(
            in: image, near: Point(x: truth.x + 3 * px, y: truth.y - 2 * px), moduleSize: px)
        let first = try #require(found.first)
        #expect(QRLocator.dist(first, truth) < px)
    }

    @Test("two different 1-D reads of the same bars: only the one on more scan lines is kept")
    func overlappingReads() {
        func symbol(_ symbology: Symbology, _ text: String, box: (Double, Double, Double, Double), points: Int)
            -> DecodedSymbol
        {
            let (x0, y0, x1, y1) = box
            return DecodedSymbol(
                symbology: symbology, bytes: Array(text.utf8), text: text,
                polygon: [Point(x: x0, y: y0), Point(x: x1, y: y0), Point(x: x1, y: y1), Point(x: x0, y: y1)],
                pass: "test", outlinePoints: points)
        }
        // Measured on zxing/upca-1/29.png: the misread sits on the rows just above the good one.
        let good = symbol(.upca, "619659023935", box: (229, 277, 479, 317), points: 25)
        let misread = symbol(.ean13, "4689672023935", box: (351, 253, 479, 275), points: 13)
        #expect(SymbolFilter.dropOverlapping([good, misread]) == [good])
        #expect(SymbolFilter.dropOverlapping([misread, good]) == [good])
        // A second code on the pack, well apart: both stay.
        let other = symbol(.ean13, "4006381333931", box: (600, 100, 800, 160), points: 12)
        #expect(SymbolFilter.dropOverlapping([good, other]) == [good, other])
    }

    @Test("a short code after a pass that may move edges needs a second pass to agree")
    func shortCodesNeedConfirmation() {
        let upce = DecodedSymbol(
            symbology: .upce, bytes: Array("01234565".utf8), text: "01234565", polygon: [], pass: "adaptive",
            outlinePoints: 51)
        #expect(upce.isWeak(keptBarWidths: false))
        #expect(!upce.isWeak(keptBarWidths: true))
        let ean13 = DecodedSymbol(
            symbology: .ean13, bytes: Array("4006381333931".utf8), text: "4006381333931", polygon: [],
            pass: "adaptive", outlinePoints: 51)
        #expect(!ean13.isWeak(keptBarWidths: false))
    }

    @Test("a read from a sparse pass counts each outline point for the two lines it stands for")
    func sparseReadsCountTheirLines() {
        let ean13 = DecodedSymbol(
            symbology: .ean13, bytes: Array("4006381333931".utf8), text: "4006381333931", polygon: [],
            pass: "otsu-sparse", outlinePoints: 6)
        #expect(ean13.isWeak(keptBarWidths: true))
        #expect(!ean13.isWeak(keptBarWidths: true, linesPerPoint: 2))
        let sparse = DecodePass.plain.sparse()
        #expect(sparse.density.x == 2 && sparse.density.y == 2)
        #expect(sparse.linesPerPoint == 2)
    }

    @Test("a weak read is not confirmed by the same preparation scanned more densely")
    func denseTwinIsNoSecondOpinion() throws {
        // zxing/upce-1/1.png: the adaptive threshold misreads the UPC-E 01234565 as 01730562 on
        // about 50 lines, sparse and dense alike; later passes read the right value.
        let image = try ImageReader.read(path: samplesPath("photos/zxing/upce-1/1.png"))
        let symbols = try DecodePipeline().decode(image).symbols
        #expect(symbols.map(\.text) == ["01234565"])
    }

    @Test("module shade percentiles from the histogram")
    func moduleShadePercentiles() {
        let grid = ModuleGrid(values: (0..<100).map { Double($0) * 2.5 }, dim: 10)
        #expect(abs(grid.percentile(5) - 12.5) <= 0.25)
        #expect(abs(grid.percentile(95) - 237.5) <= 0.25)
    }
}
