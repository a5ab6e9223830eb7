import Imaging
import Testing

@Suite("PNG reading")
struct PNGReaderTests {
    /// The pattern every fixture shows (scripts/make-png-fixtures.py).
    static func expected(_ x: Int, _ y: Int) -> Int { (x * 29 + y * 41) % 256 }

    @Test(
        "every colour type, bit depth and interlacing reads to the same greys",
        arguments: ["gray8", "gray8-interlaced", "gray16", "rgb8", "rgb8-interlaced", "rgb16", "palette8"])
    func readsVariant(_ name: String) throws {
        let image = try ImageReader.read(path: fixture("\(name).png"))
        #expect(image.width == 13 && image.height == 9)
        for y in 0..<9 {
            for x in 0..<13 {
                #expect(abs(Int(image[x, y]) - Self.expected(x, y)) <= 1, "\(name) at \(x),\(y)")
            }
        }
    }

    @Test("a 4-bit interlaced palette image reads to its nearest greys")
    func palette4() throws {
        let image = try ImageReader.read(path: fixture("palette4-interlaced.png"))
        for y in 0..<9 { for x in 0..<13 { #expect(abs(Int(image[x, y]) - Self.expected(x, y)) <= 9) } }
    }

    @Test("a 1-bit image reads as black and white")
    func bilevel() throws {
        let image = try ImageReader.read(path: fixture("gray1.png"))
        for y in 0..<9 { for x in 0..<13 { #expect(image[x, y] == (Self.expected(x, y) >= 128 ? 255 : 0)) } }
    }

    @Test("transparent pixels come out white", arguments: ["rgba8", "graya8"])
    func alpha(_ name: String) throws {
        let image = try ImageReader.read(path: fixture("\(name).png"))
        #expect(image[0, 0] == 255)
        #expect(abs(Int(image[5, 5]) - Self.expected(5, 5)) <= 1)
    }

    @Test("our PNG writer round-trips 8-bit and 1-bit images")
    func writerRoundTrip() throws {
        var image = GreyImage(width: 37, height: 21)
        for y in 0..<21 { for x in 0..<37 { image[x, y] = UInt8((x * 7 + y * 13) % 256) } }
        let decoded = try ImageReader.decode(try PNGWriter.encode(image), source: "memory")
        #expect(decoded == image)
        let bilevel = image.binarized(threshold: 127)
        let decoded1 = try ImageReader.decode(try PNGWriter.encode(bilevel, bilevel: true), source: "memory")
        #expect(decoded1 == bilevel)
    }
}
