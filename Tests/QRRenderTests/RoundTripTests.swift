import Imaging
import QRRender
import Scanning
import Testing

@Suite("Render to PNG, read back with zbar")
struct RoundTripTests {
    static let pipeline = DecodePipeline(symbologies: [.qr])

    /// Payloads a coupon system writes: ids, links, signed tokens, binary and non-Latin text.
    static let texts: [String] = [
        "A", "K7QF2M9X4HWDPR3AV8ENT", "https://cpn.example/c#K7QF-2M9X-4HWD-PR3A-V8EN-T",
        "0123456789012345678901234567890123456789", "蛋糕券 余额 300.00 元，欢迎再次光临",
        "クーポン残高", "mixed ASCII, Ünïcödé and 中文 in one payload",
        String(repeating: "eyJhbGciOiJFZERTQSJ9.", count: 12),
    ]

    static func binaryPayload(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    func decodeBack(_ png: [UInt8]) throws -> [DecodedSymbol] {
        let image = try ImageReader.decode(png, source: "render.png")
        return try Self.pipeline.decode(image).symbols
    }

    @Test("text payloads at every level and several sizes", arguments: ErrorCorrection.allCases, [2, 3, 8])
    func text(level: ErrorCorrection, moduleSize: Int) throws {
        for text in Self.texts {
            let matrix = try QREncoder.encode(text: text, level: level)
            let png = try QRRenderer.png(matrix, style: QRStyle(moduleSize: moduleSize, margin: 4))
            let symbols = try decodeBack(png)
            #expect(symbols.count == 1)
            #expect(symbols.first?.text == text, "\(level) s=\(moduleSize): \(text)")
            #expect(symbols.first?.bytes == Array(text.utf8))
        }
    }

    @Test("300-byte binary payloads, NUL bytes included, byte-exact", arguments: ErrorCorrection.allCases)
    func binary(level: ErrorCorrection) throws {
        for seed in 1...4 as ClosedRange<UInt64> {
            var payload = Self.binaryPayload(300, seed: seed)
            payload[7] = 0
            let matrix = try QREncoder.encode(bytes: payload, level: level)
            let symbols = try decodeBack(try QRRenderer.png(matrix, style: QRStyle(moduleSize: 4, margin: 4)))
            #expect(symbols.first?.bytes == payload, "seed \(seed) level \(level)")
        }
    }

    @Test("a forced larger version and a small margin still decode")
    func versionAndMargin() throws {
        let matrix = try QREncoder.encode(text: "ID-42", level: .medium, version: 10)
        #expect(matrix.version == 10 && matrix.size == 57)
        let symbols = try decodeBack(try QRRenderer.png(matrix, style: QRStyle(moduleSize: 5, margin: 2)))
        #expect(symbols.first?.text == "ID-42")
    }

    @Test("the image has the documented size")
    func geometry() throws {
        let matrix = try QREncoder.encode(text: "hello", level: .medium)
        #expect(matrix.size == 21)
        let image = QRRenderer.image(matrix, style: QRStyle(moduleSize: 8, margin: 4))
        #expect(image.width == (21 + 8) * 8)
        // The top-left finder pattern starts right after the quiet zone.
        #expect(image[31, 31] == 255 && image[32, 32] == 0)
    }

    @Test("SVG draws the same modules")
    func svg() throws {
        let matrix = try QREncoder.encode(text: "https://cpn.example/c#ABCD", level: .quartile)
        let svg = QRRenderer.svg(matrix, style: QRStyle(moduleSize: 8, margin: 4))
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.contains("viewBox=\"0 0 \(matrix.size + 8) \(matrix.size + 8)\""))
        // Count dark modules drawn by the path's horizontal runs.
        var drawn = 0
        for run in svg.split(separator: "h").dropFirst() {
            if let n = Int(run.prefix { $0.isNumber }) { drawn += n }
        }
        #expect(drawn == matrix.modules.filter { $0 }.count)
    }

    @Test("bad payloads get typed errors")
    func errors() {
        #expect(throws: QREncodeError.emptyPayload) { try QREncoder.encode(text: "") }
        #expect(throws: QREncodeError.tooLarge(bytes: 3000, level: .high, version: 0)) {
            try QREncoder.encode(bytes: [UInt8](repeating: 0x41, count: 3000), level: .high)
        }
        #expect(throws: QREncodeError.invalidVersion(41)) { try QREncoder.encode(text: "x", version: 41) }
    }
}
