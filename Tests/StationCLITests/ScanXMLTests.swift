import Foundation
import TestSupport
import Testing

/// `coupon-station scan --xml`, `-1` and `-S` against Debian's `zbarimg` (zbar-tools, installed by
/// scripts/setup) on the same photos.
@Suite("scan --xml, -1 and -S as zbarimg has them")
struct ScanXMLTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let zbarimg = "/usr/bin/zbarimg"
    static let photos = [
        "ean13-1/1.png", "ean13-1/2.png", "qrcode-2/1.png", "upce-1/1.png", "code128-1/2.png", "upca-1/10.png",
        "ean8-1/2.png",
    ].map { "samples/photos/zxing/" + $0 }

    /// zbarimg's standard output (its D-Bus complaints on standard error dropped).
    static func zbarimg(_ arguments: [String]) throws -> (Int32, String) {
        let result = try runProgram(URL(fileURLWithPath: zbarimg), arguments, in: root)
        return (result.status, result.text)
    }

    /// The `<source>` elements of an XML document by their href, and the rest of its lines.
    static func sources(_ xml: String) -> (sources: [String: [String]], frame: [String]) {
        var sources: [String: [String]] = [:]
        var frame: [String] = []
        var current: String?
        for line in xml.split(separator: "\n").map(String.init) {
            if line.hasPrefix("<source href='") {
                current = String(line.dropFirst(14).dropLast(2))
                sources[current!] = []
            } else if line == "</source>" {
                current = nil
            } else if let current {
                // Quality counts zbar's scan lines, which follow each program's conversion to grey.
                sources[current]!.append(
                    line.replacingOccurrences(of: "quality='[0-9]+'", with: "quality='N'", options: .regularExpression))
            } else {
                frame.append(line)
            }
        }
        return (sources, frame)
    }

    @Test("--xml: zbarimg's elements and attributes, symbol for symbol where both read the same")
    func xml() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.zbarimg), "zbarimg is not installed")
        // zbarimg reports UPC-A and UPC-E as EAN-13 unless they are enabled; the station reads them
        // as themselves, which zbarimg does with these two settings.
        let (_, peer) = try Self.zbarimg(["--xml", "-q", "-Supca.enable", "-Supce.enable"] + Self.photos)
        let ours = try await runDetached(
            "coupon-station", ["scan", "--xml", "-q"] + Self.photos.map { Self.root.appendingPathComponent($0).path })
        #expect(ours.status == 0, "\(ours.stderr)")
        let theirs = Self.sources(peer)
        let mine = Self.sources(ours.text.replacingOccurrences(of: Self.root.path + "/", with: ""))
        #expect(mine.frame == theirs.frame, "\(ours.text)")
        #expect(mine.frame == ["<barcodes xmlns='http://zbar.sourceforge.net/2008/barcode'>", "</barcodes>"])
        #expect(Set(mine.sources.keys) == Set(Self.photos))
        var compared = 0
        for photo in Self.photos {
            let (a, b) = (mine.sources[photo] ?? [], theirs.sources[photo] ?? [])
            guard a.count == b.count else { continue }  // one read more than the other
            #expect(a == b, "\(photo): ours \(a), zbarimg's \(b)")
            compared += 1
        }
        #expect(compared >= 5, "only \(compared) photos read alike")
    }

    @Test("-1 stops at the first symbol; -S settings choose the symbologies as zbarimg's do")
    func oneshotAndSettings() async throws {
        let files = Self.photos.prefix(3).map { Self.root.appendingPathComponent($0).path }
        let first = try await runDetached("coupon-station", ["scan", "-1", "-q"] + files)
        #expect(first.status == 0)
        #expect(first.text == "EAN-13:8413000065504\n", "\(first.text)")
        let qrOnly = try await runDetached(
            "coupon-station", ["scan", "-q", "-Sdisable", "-Sqrcode.enable"] + files)
        #expect(qrOnly.status == 4)  // the two EAN-13 photos yield nothing
        #expect(qrOnly.text.split(separator: "\n").allSatisfy { $0.hasPrefix("QR-Code:") })
        #expect(qrOnly.text.split(separator: "\n").count == 1)
        let noEAN = try await runDetached("coupon-station", ["scan", "-q", "-Sean13.disable", files[0]])
        #expect(noEAN.status == 4)
        let off = try await runDetached("coupon-station", ["scan", "-q", "-Sqrcode.enable=0", files[2]])
        #expect(off.status == 4)
        let bad = try await runDetached("coupon-station", ["scan", "-Sx-density=2", files[0]])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("only enable and disable"))
    }
}
