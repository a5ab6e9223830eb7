import Imaging
import Testing

@Suite("Grey-image operations")
struct ImageOperationTests {
    static func ramp(_ w: Int, _ h: Int) -> GreyImage {
        var image = GreyImage(width: w, height: h)
        for y in 0..<h { for x in 0..<w { image[x, y] = UInt8((x * 255) / max(1, w - 1)) } }
        return image
    }

    @Test func integerDownscaleAverages() {
        let image = GreyImage(width: 4, height: 2, pixels: [0, 100, 200, 250, 50, 150, 0, 2])
        #expect(image.downscaled(by: 2).pixels == [75, 113])
    }

    @Test func areaResizeKeepsFlatImagesFlat() {
        let flat = GreyImage(width: 60, height: 45, fill: 77)
        let small = flat.resizedArea(width: 10, height: 7)
        #expect(small.width == 10 && small.height == 7)
        #expect(small.pixels.allSatisfy { $0 == 77 })
        #expect(flat.scaled(by: 1.0 / 6).pixels.allSatisfy { $0 == 77 })
    }

    @Test func cubicUpscaleInterpolatesAndPreservesFlat() {
        let flat = GreyImage(width: 5, height: 5, fill: 200).resizedCubic(width: 13, height: 11)
        #expect(flat.pixels.allSatisfy { $0 == 200 })
        let ramp = Self.ramp(16, 4).resizedCubic(width: 32, height: 8)
        // A ramp stays monotonic when enlarged.
        for x in 1..<32 { #expect(ramp[x, 3] >= ramp[x - 1, 3]) }
    }

    @Test func otsuSplitsTwoPopulations() {
        var pixels = [UInt8](repeating: 40, count: 500) + [UInt8](repeating: 210, count: 500)
        pixels[3] = 60
        let image = GreyImage(width: 100, height: 10, pixels: pixels)
        let t = image.otsuThreshold()
        #expect(t >= 40 && t < 210)
        let b = image.otsuBinarized()
        #expect(b.pixels[0] == 0 && b.pixels[999] == 255)
    }

    @Test func adaptiveThresholdCopesWithAGradient() {
        // Dark stripes on a background that brightens from left to right: no single threshold separates them.
        var image = Self.ramp(200, 20)
        for y in 0..<20 {
            for x in stride(from: 10, to: 200, by: 20) { for dx in 0..<4 { image[x + dx, y] = image[x + dx, y] / 3 } }
        }
        let b = image.adaptiveBinarized(block: 15)
        for x in stride(from: 10, to: 200, by: 20) {
            #expect(b[x + 1, 10] == 0, "stripe at \(x)")
            #expect(b[x + 10, 10] == 255, "background after \(x)")
        }
    }

    @Test(arguments: [(1, 1), (7, 3), (15, 15), (16, 40), (61, 37)])
    func adaptiveThresholdMatchesItsDefinition(width: Int, height: Int) {
        // The fast loop (one pixel count for the columns whose window is inside) against the
        // definition: dark when the pixel is at most the mean of its clipped window minus the offset.
        var generator = SystemRandomNumberGenerator()
        let image = GreyImage(
            width: width, height: height,
            pixels: (0..<(width * height)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        for block in [3, 7, 15] {
            let radius = block / 2, fast = image.adaptiveBinarized(block: block)
            for y in 0..<height {
                for x in 0..<width {
                    var sum = 0, count = 0
                    for v in max(0, y - radius)..<min(height, y + radius + 1) {
                        for u in max(0, x - radius)..<min(width, x + radius + 1) { sum += Int(image[u, v]); count += 1 }
                    }
                    let expected: UInt8 = Int(image[x, y]) * count <= sum - 5 * count ? 0 : 255
                    #expect(fast[x, y] == expected, "block \(block) at \(x),\(y)")
                }
            }
        }
    }

    @Test func cropKeepsThePartAndClipsAtTheEdges() {
        let image = GreyImage(width: 4, height: 3, pixels: Array(0..<12))
        #expect(image.cropped(x: 1, y: 1, width: 2, height: 2).pixels == [5, 6, 9, 10])
        let clipped = image.cropped(x: -2, y: 2, width: 4, height: 5)
        #expect(clipped.width == 2 && clipped.height == 1 && clipped.pixels == [8, 9])
        #expect(image.cropped(x: 5, y: 0, width: 2, height: 2).isEmpty)
    }

    @Test func claheRaisesLocalContrast() {
        var image = GreyImage(width: 64, height: 64, fill: 120)
        for y in 0..<64 { for x in 0..<64 where (x / 4 + y / 4) % 2 == 0 { image[x, y] = 130 } }
        let out = image.clahe(tiles: 4, clipLimit: 40)
        let spread = Int(out.pixels.max()!) - Int(out.pixels.min()!)
        #expect(spread > 30)
        // The clip limit bounds the gain: a limit of 1 leaves the image almost as it was.
        let limited = image.clahe(tiles: 4, clipLimit: 1)
        #expect(Int(limited.pixels.max()!) - Int(limited.pixels.min()!) <= 12)
    }

    @Test func invertGammaStretch() {
        let image = GreyImage(width: 3, height: 1, pixels: [0, 100, 255])
        #expect(image.inverted().pixels == [255, 155, 0])
        #expect(image.gammaCorrected(3).pixels == [0, 15, 255])
        let dull = GreyImage(width: 4, height: 1, pixels: [100, 110, 120, 130])
        #expect(dull.contrastStretched(clip: 0).pixels == [0, 85, 170, 255])
    }

    @Test func homographyMapsCornersAndWarpsIdentity() throws {
        let from = [Point(x: 0, y: 0), Point(x: 10, y: 0), Point(x: 10, y: 10), Point(x: 0, y: 10)]
        let to = [Point(x: 2, y: 3), Point(x: 20, y: 1), Point(x: 25, y: 30), Point(x: 1, y: 22)]
        let h = try #require(Homography(from: from, to: to))
        for (a, b) in zip(from, to) {
            let p = h.apply(a)
            #expect(abs(p.x - b.x) < 1e-9 && abs(p.y - b.y) < 1e-9)
        }
        let line = [Point(x: 0, y: 0), Point(x: 1, y: 1), Point(x: 2, y: 2), Point(x: 3, y: 3)]
        #expect(Homography(from: line, to: to) == nil)
        let image = Self.ramp(20, 20)
        let same = image.warped(by: .identity, width: 19, height: 19)
        for y in 0..<19 { for x in 0..<19 { #expect(same[x, y] == image[x, y]) } }
    }

    @Test func integralImageSums() {
        let image = GreyImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6])
        let integral = IntegralImage(image)
        #expect(integral.sum(0, 0, 3, 2) == 21)
        #expect(integral.sum(1, 1, 3, 2) == 11)
    }
}
