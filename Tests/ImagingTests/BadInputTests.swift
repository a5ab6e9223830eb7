import Foundation
import Imaging
import Testing

@Suite("Bad image input gets a typed error naming the file")
struct BadInputTests {
    func reason(_ data: [UInt8], source: String = "bad.img") -> ImageReadError.Reason? {
        do {
            _ = try ImageReader.decode(data, source: source)
            return nil
        } catch {
            #expect(error.source == source)
            #expect(error.description.hasPrefix(source + ":"))
            return error.reason
        }
    }

    @Test func emptyFile() { #expect(reason([]) == .empty) }

    @Test func unknownFormat() {
        guard case .unsupported = reason(Array("GIF89a not really".utf8)) else {
            Issue.record("expected unsupported"); return
        }
    }

    @Test func missingFile() {
        #expect(throws: ImageReadError.self) { try ImageReader.read(path: "/nonexistent/photo.jpg") }
        do { _ = try ImageReader.read(path: "/nonexistent/photo.jpg") } catch {
            #expect(error.description.contains("/nonexistent/photo.jpg"))
            guard case .io = error.reason else { Issue.record("expected io"); return }
        }
    }

    @Test("a truncated PNG", arguments: [20, 40, 100])
    func truncatedPNG(_ keep: Int) {
        let data = Array(bytes(of: fixture("rgb8.png")).prefix(keep))
        let r = reason(data)
        #expect(r != nil)
        if case .truncated(let format) = r {
            #expect(format == "PNG")
        } else if case .corrupt(let format, _) = r {
            #expect(format == "PNG")
        } else {
            Issue.record("unexpected \(String(describing: r))")
        }
    }

    @Test("a PNG with a damaged CRC")
    func corruptPNG() {
        var data = bytes(of: fixture("gray8.png"))
        data[20] ^= 0xFF  // inside IHDR: its CRC no longer matches
        guard case .corrupt(let format, _) = reason(data) else { Issue.record("expected corrupt"); return }
        #expect(format == "PNG")
    }

    @Test("a truncated JPEG", arguments: [3, 200, 2000])
    func truncatedJPEG(_ keep: Int) {
        let data = Array(bytes(of: sample("screens/scr_000.jpg")).prefix(keep))
        let r = reason(data)
        switch r {
        case .truncated(let f): #expect(f == "JPEG")
        case .corrupt(let f, _): #expect(f == "JPEG")
        default: Issue.record("unexpected \(String(describing: r))")
        }
    }

    @Test("a JPEG whose header is garbage")
    func corruptJPEG() {
        var data = bytes(of: sample("screens/scr_000.jpg"))
        for i in 4..<400 { data[i] = UInt8(truncatingIfNeeded: i * 31) }
        #expect(reason(data) != nil)
    }

    @Test("PNM: bad header, ASCII variant, truncated raster, absurd size")
    func pnm() {
        guard case .corrupt = reason(Array("P5\n12 x\n255\n".utf8)) else { Issue.record("bad header"); return }
        guard case .unsupported = reason(Array("P2\n2 2\n255\n0 0 0 0\n".utf8)) else { Issue.record("P2"); return }
        #expect(reason(Array("P5\n4 4\n255\n".utf8) + [1, 2, 3]) == .truncated(format: "PNM"))
        #expect(reason(Array("P5\n100000 100000\n255\n".utf8)) == .tooLarge(width: 100000, height: 100000))
    }

    @Test("Y4M: missing frame, truncated frame, unsupported colour space")
    func y4m() {
        #expect(reason(Array("YUV4MPEG2 W4 H4 F30:1 C420jpeg\n".utf8)) == .truncated(format: "Y4M"))
        #expect(reason(Array("YUV4MPEG2 W4 H4 F30:1 Cmono\nFRAME\n".utf8) + [1, 2]) == .truncated(format: "Y4M"))
        guard case .unsupported = reason(Array("YUV4MPEG2 W4 H4 C420p10\nFRAME\n".utf8)) else {
            Issue.record("p10"); return
        }
    }
}
