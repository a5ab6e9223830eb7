import Imaging
import Testing

@Suite("JPEG, PNM and Y4M reading")
struct OtherFormatTests {
    @Test("baseline and progressive JPEG decode to their full size")
    func jpeg() throws {
        let baseline = try ImageReader.read(path: sample("screens/scr_000.jpg"))
        #expect(baseline.width == 640 && baseline.height == 480)
        let progressive = try ImageReader.read(path: sample("photos/zxing-cpp/qrcode/estimate-tilt.jpg"))
        #expect(progressive.width > 0 && progressive.height > 0)
    }

    /// Inserts an APP1 Exif segment holding only the orientation tag right after SOI.
    static func withOrientation(_ jpeg: [UInt8], _ value: Int, bigEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] {
            bigEndian ? [UInt8(v >> 8), UInt8(v & 255)] : [UInt8(v & 255), UInt8(v >> 8)]
        }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16) }
        let tiff =
            (bigEndian ? Array("MM".utf8) : Array("II".utf8)) + u16(42) + u32(8) + u16(1)
            + u16(0x0112) + u16(3) + u32(1) + u16(value) + u16(0) + u32(0)
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 255)] + payload + jpeg[2...]
    }

    @Test("EXIF orientation turns the photo upright", arguments: 1...8)
    func exif(_ value: Int) throws {
        let jpeg = bytes(of: sample("screens/scr_000.jpg"))
        let upright = try ImageReader.decode(jpeg, source: "a.jpg")
        for bigEndian in [false, true] {
            let tagged = Self.withOrientation(jpeg, value, bigEndian: bigEndian)
            #expect(EXIFOrientation.read(from: tagged).rawValue == value)
            let image = try ImageReader.decode(tagged, source: "b.jpg")
            #expect(image == upright.oriented(EXIFOrientation(rawValue: value)!))
        }
    }

    @Test("orientations are the right turns")
    func orientationGeometry() {
        // 3 x 2:  a b c / d e f
        let image = GreyImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6])
        #expect(image.oriented(.right).pixels == [4, 1, 5, 2, 6, 3])  // 90 degrees clockwise
        #expect(image.oriented(.left).pixels == [3, 6, 2, 5, 1, 4])  // 90 counter-clockwise
        #expect(image.oriented(.down).pixels == [6, 5, 4, 3, 2, 1])
        #expect(image.oriented(.upMirrored).pixels == [3, 2, 1, 6, 5, 4])
        #expect(image.oriented(.downMirrored).pixels == [4, 5, 6, 1, 2, 3])
        #expect(image.oriented(.leftMirrored).pixels == [1, 4, 2, 5, 3, 6])
        #expect(image.oriented(.rightMirrored).pixels == [6, 3, 5, 2, 4, 1])
    }

    @Test("P5 and P6, 8 and 16 bit, with comments")
    func pnm() throws {
        let p5 = Array("P5\n# a comment\n3 1\n255\n".utf8) + [0, 128, 255]
        #expect(try ImageReader.decode(p5, source: "a.pgm").pixels == [0, 128, 255])
        let p5wide = Array("P5 2 1 65535\n".utf8) + [0xFF, 0xFF, 0x80, 0x00]
        #expect(try ImageReader.decode(p5wide, source: "b.pgm").pixels == [255, 128])
        let p6 = Array("P6\n2 1\n255\n".utf8) + [200, 200, 200, 10, 10, 10]
        let grey = try ImageReader.decode(p6, source: "c.ppm").pixels
        #expect(abs(Int(grey[0]) - 200) <= 1 && abs(Int(grey[1]) - 10) <= 1)
    }

    @Test("Y4M: the luma plane of each frame, chroma skipped")
    func y4m() throws {
        let header = Array("YUV4MPEG2 W3 H2 F25:1 Ip A1:1 C420jpeg\n".utf8)
        let frame1 = Array("FRAME\n".utf8) + [1, 2, 3, 4, 5, 6] + [9, 9, 9, 9]
        let frame2 = Array("FRAME Ixyz\n".utf8) + [7, 8, 9, 10, 11, 12] + [9, 9, 9, 9]
        var reader = try Y4MReader(data: header + frame1 + frame2, source: "cam.y4m")
        #expect(reader.header.frameRate == (25, 1))
        #expect(try reader.nextFrame()?.pixels == [1, 2, 3, 4, 5, 6])
        #expect(try reader.nextFrame()?.pixels == [7, 8, 9, 10, 11, 12])
        #expect(try reader.nextFrame() == nil)
        #expect(try ImageReader.decode(header + frame1, source: "one.y4m").pixels == [1, 2, 3, 4, 5, 6])
    }
}
