import Imaging
import Testing

@testable import Scanning

/// The region the pipeline scans first after a weak read.
@Suite("Region around weak reads")
struct RegionTests {
    static func read(_ polygon: [Point]) -> DecodedSymbol {
        DecodedSymbol(
            symbology: .upce, bytes: Array("01234565".utf8), text: "01234565", polygon: polygon, pass: "adaptive",
            outlinePoints: 12)
    }

    @Test("a row-scanned read widens a whole length along its row and a sixth across it")
    func widening() throws {
        let region = try #require(Region(around: [Self.read([Point(x: 100, y: 50), Point(x: 160, y: 56)])]))
        #expect(region.minX == 100 - 68 && region.maxX == 160 + 68)
        #expect(region.minY == 50 - 16 && region.maxY == 56 + 16)
        // A read along a column widens the other way.
        let turned = try #require(Region(around: [Self.read([Point(x: 50, y: 100), Point(x: 56, y: 160)])]))
        #expect(turned.minY == 100 - 68 && turned.minX == 50 - 16)
    }

    @Test("a read outlined by a single point gives no region")
    func singlePoint() {
        #expect(Region(around: [Self.read([Point(x: 188, y: 423)])]) == nil)
        #expect(Region(around: [Self.read([])]) == nil)
    }

    @Test("the crop of a scaled pass maps back to the original image")
    func cropOfScaledPass() throws {
        let region = try #require(Region(around: [Self.read([Point(x: 200, y: 100), Point(x: 260, y: 106)])]))
        // A pass that halved a 640x480 image: its pixel (x, y) is the original's (2x, 2y).
        var half = GreyImage(width: 320, height: 240, fill: 255)
        half[100, 50] = 7
        let (part, back) = try #require(region.crop(half, PassInputs.scale(0.5)))
        #expect(part.width < half.width && part.height < half.height)
        // The marked pixel keeps its place in original coordinates.
        let marked = try #require(part.pixels.firstIndex(of: 7))
        let p = back.apply(Point(x: Double(marked % part.width), y: Double(marked / part.width)))
        #expect(p == Point(x: 200, y: 100))
    }

    @Test("no crop for a warp or when the part is most of the image")
    func noCrop() throws {
        let region = try #require(Region(around: [Self.read([Point(x: 10, y: 10), Point(x: 70, y: 16)])]))
        let image = GreyImage(width: 100, height: 40)
        #expect(region.crop(image, .identity) == nil)
        let warp = Homography(matrix: [1, 0.1, 0, 0, 1, 0, 0, 0, 1])
        #expect(region.crop(GreyImage(width: 1000, height: 1000), warp) == nil)
        #expect(region.crop(GreyImage(width: 1000, height: 1000), .identity) != nil)
    }
}
