import Foundation
import Testing

@Suite("couponctl render, run as a program")
struct RenderCommandTests {
    @Test("renders PNG that scans back, at qrencode's flag spellings")
    func renderAndScan() throws {
        let folder = try temporaryFolder()
        let payload = "https://cpn.example/c#K7QF-2M9X-4HWD-PR3A-V8EN-T"
        for (flags, name) in [
            ([String](), "default.png"), (["-s", "3", "-m", "2", "-l", "H"], "small.png"),
            (["-v", "8", "-l", "l"], "v8.png"),
        ] {
            let file = folder.appendingPathComponent(name).path
            let render = try run("couponctl", ["render", payload, "-o", file] + flags)
            #expect(render.status == 0, "\(render.stderr)")
            let scan = try run("coupon-station", ["scan", "--raw", "-q", file])
            #expect(scan.text == payload + "\n", "\(flags)")
        }
    }

    @Test("default geometry: 8 px modules and a 4-module margin")
    func defaults() throws {
        let result = try run("couponctl", ["render", "hello"])
        #expect(result.status == 0)
        // A 1-bit PNG of (21 + 8) * 8 = 232 px: the IHDR width and height.
        let ihdr = [UInt8](result.stdout.prefix(24))
        #expect(ihdr.count == 24 && ihdr[16...19] == [0, 0, 0, 232] && ihdr[20...23] == [0, 0, 0, 232])
    }

    @Test("binary payloads from a file, byte-exact, and SVG output")
    func dataFileAndSVG() throws {
        let folder = try temporaryFolder()
        let data = Data((0..<300).map { UInt8(($0 * 73 + 11) % 256) })
        let input = folder.appendingPathComponent("payload.bin")
        try data.write(to: input)
        let png = folder.appendingPathComponent("bin.png").path
        #expect(try run("couponctl", ["render", "--data-file", input.path, "-o", png]).status == 0)
        let scan = try run("coupon-station", ["scan", "--json", "-q", png])
        let object = try JSONSerialization.jsonObject(with: scan.stdout) as? [String: Any]
        #expect(Data(base64Encoded: object?["bytes"] as? String ?? "") == data)
        let svg = try run("couponctl", ["render", "--svg", "hello"])
        #expect(svg.text.hasPrefix("<?xml") && svg.text.contains("<svg"))
    }

    @Test("bad options exit 64; an empty or too large payload is bad input (2) with the reason")
    func errors() throws {
        #expect(try run("couponctl", ["render", "x", "-l", "Z"]).status == 64)
        #expect(try run("couponctl", ["render", "x", "-s", "0"]).status == 64)
        #expect(try run("couponctl", ["render", "x", "-r", "/dev/null"]).status == 64)
        // No TEXT: standard input, as qrencode reads it; empty is bad input.
        #expect(try run("couponctl", ["render", "-o", "/dev/null"], stdin: Data()).status == 2)
        // Text that cannot be a QR is bad input (2), as couponctl's exit table says.
        let empty = try run("couponctl", ["render", "", "-o", "/dev/null"])
        #expect(empty.status == 2, "\(empty.stderr)")
        let big = try run("couponctl", ["render", String(repeating: "x", count: 4000), "-o", "/dev/null"])
        #expect(big.status == 2)
        #expect(big.stderr.contains("do not fit"))
    }
}
