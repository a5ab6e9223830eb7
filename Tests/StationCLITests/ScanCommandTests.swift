import Foundation
import Testing

@Suite("coupon-station scan, run as a program")
struct ScanCommandTests {
    let ean = "samples/photos/zxing/ean13-1/1.png"
    let screen = "samples/screens/scr_001.jpg"

    @Test("one line per symbol in zbarimg's format, exit 0")
    func plainOutput() throws {
        let result = try run("coupon-station", ["scan", ean])
        #expect(result.status == 0)
        #expect(result.text == "EAN-13:8413000065504\n")
        #expect(result.stderr.contains("scanned 1 symbols"))
    }

    @Test("--raw prints only the data; --json one object per symbol")
    func rawAndJSON() throws {
        let expected = try String(
            contentsOfFile: packageRoot.appendingPathComponent("samples/screens/scr_001.txt").path, encoding: .utf8)
        let raw = try run("coupon-station", ["scan", "--raw", "-q", screen])
        #expect(raw.status == 0)
        #expect(raw.text == expected + "\n")
        #expect(raw.stderr.isEmpty)
        let json = try run("coupon-station", ["scan", "--json", screen, ean])
        #expect(json.status == 0)
        let lines = json.text.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["symbology"] as? String == "QR-Code")
        #expect(first?["text"] as? String == expected)
        #expect(first?["file"] as? String == screen)
        #expect(Data(base64Encoded: first?["bytes"] as? String ?? "") == Data(expected.utf8))
        #expect((first?["polygon"] as? [[Int]])?.count == 4)
        #expect(first?["pass"] is String)
    }

    @Test("- reads one image from standard input")
    func standardInput() throws {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent(ean))
        let result = try run("coupon-station", ["scan", "-"], stdin: data)
        #expect(result.status == 0)
        #expect(result.text == "EAN-13:8413000065504\n")
    }

    @Test("exit 4 when an image holds no symbol")
    func noSymbol() throws {
        let folder = try temporaryFolder()
        let blank = folder.appendingPathComponent("blank.pgm")
        try (Data("P5\n64 64\n255\n".utf8) + Data(repeating: 200, count: 64 * 64)).write(to: blank)
        let result = try run("coupon-station", ["scan", ean, blank.path])
        #expect(result.status == 4)
        #expect(result.text == "EAN-13:8413000065504\n")
    }

    @Test("exit 1 with a message naming the file when an image cannot be read")
    func unreadable() throws {
        let folder = try temporaryFolder()
        let corrupt = folder.appendingPathComponent("cut.jpg")
        let jpeg = try Data(contentsOf: packageRoot.appendingPathComponent(screen))
        try jpeg.prefix(3000).write(to: corrupt)
        let empty = folder.appendingPathComponent("empty.png")
        try Data().write(to: empty)
        for file in [corrupt.path, empty.path, "/nonexistent/x.png"] {
            let result = try run("coupon-station", ["scan", file])
            #expect(result.status == 1, "\(file)")
            #expect(result.stderr.contains(file))
        }
        #expect(try run("coupon-station", ["scan", empty.path]).stderr.contains("empty"))
        #expect(try run("coupon-station", ["scan", corrupt.path]).stderr.contains("truncated JPEG"))
    }

    @Test("exit 64 for usage errors")
    func usage() throws {
        #expect(try run("coupon-station", ["scan"]).status == 64)
        #expect(try run("coupon-station", ["scan", "--symbologies", "qr,pdf417", ean]).status == 64)
        #expect(try run("coupon-station", ["scan", "--raw", "--json", ean]).status == 64)
    }

    @Test("--symbologies limits what is read")
    func symbologies() throws {
        let result = try run("coupon-station", ["scan", "--symbologies", "qr", ean])
        #expect(result.status == 4)
        #expect(result.text.isEmpty)
    }
}
