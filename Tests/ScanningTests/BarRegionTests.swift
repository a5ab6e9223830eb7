import Imaging
import Testing

@testable import Scanning

/// Finding the part of a photo that shows bars, where the expensive 1-D passes run.
@Suite("Bar region")
struct BarRegionTests {
    /// A light image with bars of widths 1-4 px in the box x 100..<220, y 60..<140.
    static func bars(width: Int = 320, height: Int = 200) -> GreyImage {
        var image = GreyImage(width: width, height: height, fill: 220)
        var x = 100, k = 0
        while x < 220 {
            let bar = 1 + (k * 7) % 4, gap = 1 + (k * 5) % 4
            for y in 60..<140 { for dx in 0..<bar where x + dx < 220 { image[x + dx, y] = 30 } }
            x += bar + gap
            k += 1
        }
        return image
    }

    static func transposed(_ image: GreyImage) -> GreyImage {
        var out = GreyImage(width: image.height, height: image.width)
        for y in 0..<image.height { for x in 0..<image.width { out[y, x] = image[x, y] } }
        return out
    }

    @Test("upright bars are found where they are, widened across them for the quiet zone")
    func upright() throws {
        let region = try #require(BarRegion.find(in: Self.bars()))
        #expect(region.upright)
        #expect(region.x <= 100 && region.x + region.width >= 216)
        #expect(region.y <= 64 && region.y + region.height >= 136)
        // Not the whole image: the blank margins are left out.
        #expect(region.width * region.height < 320 * 200 / 2)
        let wide = region.scaled(by: 1, clippedTo: (320, 200))
        #expect(wide.x < region.x && wide.x + wide.width > region.x + region.width)
    }

    @Test("bars turned a quarter are found lying down")
    func lying() throws {
        let region = try #require(BarRegion.find(in: Self.transposed(Self.bars())))
        #expect(!region.upright)
        #expect(region.y <= 100 && region.y + region.height >= 216)
    }

    @Test("no region on a blank image or on a checkerboard (texture both ways)")
    func none() {
        #expect(BarRegion.find(in: GreyImage(width: 320, height: 200, fill: 200)) == nil)
        var checker = GreyImage(width: 320, height: 200, fill: 255)
        for y in 0..<200 { for x in 0..<320 where (x / 3 + y / 3) % 2 == 0 { checker[x, y] = 0 } }
        #expect(BarRegion.find(in: checker) == nil)
        #expect(BarRegion.find(in: GreyImage(width: 10, height: 10, fill: 0)) == nil)
    }

    @Test("on real photos the region holds the code the pipeline reads")
    func photos() throws {
        for name in ["zxing/ean13-1/36.png", "zxing/upca-5/26.png", "zxing/ean13-2/10.png", "zxing/upca-2/31.png"] {
            let image = try ImageReader.read(path: samplesPath("photos/\(name)"))
            let symbol = try #require(try DecodePipeline().decode(image).symbols.first, "\(name)")
            let region = try #require(PassInputs(image).barRegion, "\(name)")
            let inside = symbol.polygon.filter {
                $0.x >= Double(region.x) && $0.x <= Double(region.x + region.width) && $0.y >= Double(region.y)
                    && $0.y <= Double(region.y + region.height)
            }
            #expect(inside.count == symbol.polygon.count, "\(name): \(region) \(symbol.polygon)")
        }
    }
}
