import Imaging
import QRRender
import Testing

@testable import Scanning

/// Reed-Solomon with erasures, the QR layout tables, and mending symbols damaged by glare.
@Suite("QR repair")
struct QRRepairTests {
    /// A deterministic byte stream (a linear congruential generator), so failures repeat.
    struct Bytes {
        var state: UInt64
        mutating func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        mutating func below(_ n: Int) -> Int { (Int(next()) * 256 + Int(next())) % n }
    }

    @Test("Reed-Solomon corrects errors and erasures up to 2e + f <= parity, and refuses beyond")
    func reedSolomon() {
        var random = Bytes(state: 7)
        for parity in [7, 10, 16, 22, 28] {
            for trial in 0..<60 {
                let data = (0..<(20 + trial % 30)).map { _ in random.next() }
                let block = data + ReedSolomon.parity(for: data, count: parity)
                #expect(ReedSolomon.syndromes(block, parity: parity).allSatisfy { $0 == 0 })
                let erasures = trial % (parity + 1)
                let errors = (parity - erasures) / 2
                var positions: [Int] = []
                while positions.count < erasures + errors {
                    let p = random.below(block.count)
                    if !positions.contains(p) { positions.append(p) }
                }
                var damaged = block
                for p in positions { damaged[p] ^= max(1, random.next()) }
                let fixed = ReedSolomon.correct(damaged, parity: parity, erasures: Array(positions.prefix(erasures)))
                let corrected = fixed?.block == block
                #expect(corrected, "parity \(parity), \(erasures) erasures, \(errors) errors")
                #expect(fixed?.errors == errors)
                // One error too many with the margin of two the repair keeps: never a wrong block.
                if erasures + 2 <= parity, errors + 1 + erasures <= block.count {
                    var worse = damaged
                    var extra = 0
                    while extra < 1 {
                        let p = random.below(block.count)
                        if !positions.contains(p) {
                            worse[p] ^= 0x5A
                            extra += 1
                        }
                    }
                    let refused = ReedSolomon.correct(
                        worse, parity: parity, erasures: Array(positions.prefix(erasures)), margin: 2)
                    let refusedOrRight = refused == nil || refused?.block == block
                    #expect(refusedOrRight)
                }
            }
        }
    }

    @Test("the layout and block tables read every version and level libqrencode writes, mask and format too")
    func everyVersionAndLevel() throws {
        let levels: [(ErrorCorrection, QRLevel)] = [(.low, .l), (.medium, .m), (.quartile, .q), (.high, .h)]
        var random = Bytes(state: 11)
        for version in 1...40 {
            for (level, ours) in levels {
                let payload = (0..<6).map { _ in random.next() }
                let matrix = try QREncoder.encode(bytes: payload, level: level, version: version)
                #expect(matrix.version == version)
                guard let layout = QRLayout(dim: matrix.size) else {
                    Issue.record("no layout for \(matrix.size)")
                    continue
                }
                let reliable = [Double](repeating: 1, count: matrix.modules.count)
                let best = QRRepair.formats(dark: matrix.modules, reliability: reliable, layout: layout)[0]
                #expect(best.0 == ours, "version \(version) level \(level)")
                // Damage one data module: the repair must restore the symbol exactly, which it can
                // only do if placement, masking, interleaving and the block sizes are all right.
                var damaged = matrix.modules
                let module = layout.dataBits[random.below(layout.dataBits.count)]
                damaged[module].toggle()
                let mended = QRRepair.mend(dark: damaged, reliability: reliable, dim: matrix.size)
                let restored = mended == matrix.modules
                #expect(restored, "version \(version) level \(level) mended \(mended != nil)")
            }
        }
    }

    @Test("the alignment pattern centres of the standard's table")
    func alignmentCentres() {
        #expect(QRLayout.alignmentCentres(version: 1) == [])
        #expect(QRLayout.alignmentCentres(version: 2) == [6, 18])
        #expect(QRLayout.alignmentCentres(version: 7) == [6, 22, 38])
        #expect(QRLayout.alignmentCentres(version: 15) == [6, 26, 48, 70])
        #expect(QRLayout.alignmentCentres(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(QRLayout.alignmentCentres(version: 36) == [6, 24, 50, 76, 102, 128, 154])
        #expect(QRLayout.alignmentCentres(version: 40) == [6, 30, 58, 86, 114, 142, 170])
        // Data codewords of the standard's capacity table.
        let totals = [1: 26, 2: 44, 7: 196, 14: 581, 21: 1156, 40: 3706]
        for (version, total) in totals { #expect(QRLayout(dim: 17 + 4 * version)?.totalCodewords == total) }
    }

    /// A coupon QR whose modules under a glare disc are saturated: shade and decision unknown.
    func glared(_ matrix: QRMatrix, centre: (Double, Double), radius: Double) -> (dark: [Bool], reliability: [Double]) {
        var dark = matrix.modules
        var reliability = [Double](repeating: 0.5, count: dark.count)
        for y in 0..<matrix.size {
            for x in 0..<matrix.size {
                let dx = Double(x) - centre.0, dy = Double(y) - centre.1
                if dx * dx + dy * dy <= radius * radius {
                    dark[y * matrix.size + x] = false
                    reliability[y * matrix.size + x] = 0
                }
            }
        }
        return (dark, reliability)
    }

    @Test(
        "glare over more than errors-only correction allows: mended, and zbar reads the drawing",
        arguments: [
            ("K7QF2M9X4HWDPR3AV8EN", ErrorCorrection.medium),
            ("https://cpn.example/r/AbCdEfGhIjKlMnOpQrStUv", .quartile),
            ("https://cpn.example/c#K7QF-2M9X-4HWD-PR3A-V8EN-TXYZ", .medium),
        ])
    func glare(text: String, level: ErrorCorrection) throws {
        let matrix = try QREncoder.encode(text: text, level: level)
        let zbar = DecodePipeline.singlePass(symbologies: [.qr])
        var mendedOne = false
        for radius in stride(from: 2.0, through: 8.0, by: 0.5) {
            let centre = (Double(matrix.size) * 0.55, Double(matrix.size) * 0.6)
            let (dark, reliability) = glared(matrix, centre: centre, radius: radius)
            let mended = QRRepair.mend(dark: dark, reliability: reliability, dim: matrix.size)
            // Beyond what the spare parity allows it must refuse, never draw another symbol.
            let refusedOrRight = mended == nil || mended == matrix.modules
            #expect(refusedOrRight, "radius \(radius)")
            // The interesting glare: zbar alone cannot read the sampled drawing.
            let plain = try zbar.decode(QRLocator.canvas(dark, dim: matrix.size, toImage: .identity).0)
            guard plain.symbols.isEmpty, let mended else { continue }
            mendedOne = true
            let read = try zbar.decode(QRLocator.canvas(mended, dim: matrix.size, toImage: .identity).0)
            #expect(read.symbols.map(\.text) == [text], "radius \(radius)")
        }
        #expect(mendedOne, "no glare radius was both beyond errors-only correction and mendable")
    }
}

/// Glare painted on rendered coupon codes, read end to end through the decode pipeline.
@Suite("Glare on a rendered code")
struct GlareTests {
    /// The code on a grey card (light modules 200, dark 40), with a saturated disc of glare
    /// (255) and a softer halo around it, then a light blur as a camera gives.
    static func glared(_ matrix: QRMatrix, centre: (Double, Double), radius: Double, px: Int = 8) -> GreyImage {
        let margin = 6, side = (matrix.size + 2 * margin) * px
        var image = GreyImage(width: side, height: side, fill: 200)
        for y in 0..<side {
            for x in 0..<side {
                let mx = x / px - margin, my = y / px - margin
                var shade = 200.0
                if (0..<matrix.size).contains(mx), (0..<matrix.size).contains(my), matrix[mx, my] { shade = 40 }
                let dx = Double(x) / Double(px) - Double(margin) - centre.0
                let dy = Double(y) / Double(px) - Double(margin) - centre.1
                let d = (dx * dx + dy * dy).squareRoot()
                // Saturated inside the disc, fading out over two modules.
                let glare = d <= radius ? 1.0 : max(0, 1 - (d - radius) / 2)
                shade = min(255, shade + glare * 400)
                image.pixels[y * side + x] = UInt8(shade)
            }
        }
        var blurred = image
        for y in 1..<(side - 1) {
            for x in 1..<(side - 1) {
                var sum = 0
                for dy in -1...1 { for dx in -1...1 { sum += Int(image[x + dx, y + dy]) } }
                blurred.pixels[y * side + x] = UInt8(sum / 9)
            }
        }
        return blurred
    }

    @Test("glare over the data that zbar cannot read through: the locator's mended drawing reads it")
    func glareOnData() throws {
        let text = "https://cpn.example/r/AbCdEfGhIjKlMnOpQrStUv"
        let matrix = try QREncoder.encode(text: text, level: .quartile)
        var read = 0
        for radius in [5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0] {
            let image = Self.glared(
                matrix, centre: (Double(matrix.size) * 0.5, Double(matrix.size) * 0.55), radius: radius)
            let result = try DecodePipeline(symbologies: [.qr]).decode(image)
            // Never a wrong text, whatever the glare.
            #expect(result.symbols.allSatisfy { $0.text == text }, "radius \(radius)")
            let plain = try DecodePipeline.singlePass(symbologies: [.qr]).decode(image)
            if plain.symbols.isEmpty, result.symbols.first?.text == text {
                read += 1
                #expect(result.symbols.first?.pass == "qr-locator", "radius \(radius)")
            }
        }
        // Measured: radii 6.5, 7 and 7.5 modules (plain zbar reads up to 6).
        #expect(read >= 2, "glare sizes plain zbar misses and the pipeline read: \(read)")
    }

    @Test("glare over a finder pattern: the third finder is found from the other two")
    func glareOnFinder() throws {
        let text = "K7QF2M9X4HWDPR3AV8ENTXYZ"
        let matrix = try QREncoder.encode(text: text, level: .quartile)
        var readOne = false
        for radius in [2.5, 3.0, 3.5] {
            // Centred on the top-left finder's outer ring, so no row or column shows 1:1:3:1:1 there.
            let image = Self.glared(matrix, centre: (4.5, 4.0), radius: radius)
            let result = try DecodePipeline(symbologies: [.qr]).decode(image)
            #expect(result.symbols.allSatisfy { $0.text == text }, "radius \(radius)")
            let plain = try DecodePipeline.singlePass(symbologies: [.qr]).decode(image)
            if plain.symbols.isEmpty, result.symbols.first?.text == text { readOne = true }
        }
        #expect(readOne, "no glare on the finder that plain zbar misses was read")
    }
}

extension ReedSolomon {
    /// The ECC codewords for `data`, as an encoder appends them.
    static func parity(for data: [UInt8], count: Int) -> [UInt8] {
        // Generator g(x) = Π (x - α^i), highest degree first.
        var generator: [UInt8] = [1]
        for i in 0..<count {
            var next = [UInt8](repeating: 0, count: generator.count + 1)
            for (k, g) in generator.enumerated() {
                next[k] ^= g
                next[k + 1] ^= ReedSolomon.mul(g, ReedSolomon.power(i))
            }
            generator = next
        }
        var remainder = [UInt8](repeating: 0, count: count)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for k in 0..<count { remainder[k] ^= ReedSolomon.mul(generator[k + 1], factor) }
        }
        return remainder
    }
}
