import QRRender
import Testing

@testable import Scanning

/// The codewords after the message (terminator and pad codewords), and mending glare with them.
@Suite("QR padding")
struct QRPaddingTests {
    /// The symbol's codewords in placement order, unmasked, with the modules of each.
    static func codewords(_ matrix: QRMatrix) -> (
        layout: QRLayout, level: QRLevel, codewords: [UInt8], modules: [[Int]]
    ) {
        let layout = QRLayout(dim: matrix.size)!
        let reliable = [Double](repeating: 1, count: matrix.modules.count)
        let (level, mask) = QRRepair.formats(dark: matrix.modules, reliability: reliable, layout: layout)[0]
        let codewords = QRRepair.codewords(dark: matrix.modules, reliability: reliable, layout: layout, mask: mask)
        let modules = (0..<layout.totalCodewords).map { Array(layout.dataBits[(8 * $0)..<(8 * $0 + 8)]) }
        return (layout, level, codewords.codewords, modules)
    }

    @Test(
        "the first ending read from the headers gives the encoder's padding exactly",
        arguments: [
            ("K7QF2M9X4HWDPR3AV8EN", 2),  // alphanumeric
            ("https://cpn.example/r/AbCdEfGhIjKlMnOpQrStUv", 4),  // byte
            ("20261201300", 1),  // numeric
            ("coupon 4417 CAKE 0000100", 3),  // segments of several modes
            ("优惠券 300.00", 3),  // UTF-8 bytes
        ])
    func firstEnding(text: String, version: Int) throws {
        for level in [ErrorCorrection.low, .medium, .quartile] {
            let matrix = try QREncoder.encode(text: text, level: level, version: version)
            let (layout, ours, codewords, _) = Self.codewords(matrix)
            // Single-block symbols only here: the data stream is the first codewords in order.
            let (_, data) = layout.blocks(level: ours)
            guard data.count == 1 else { continue }
            let stream = Array(codewords.prefix(data[0]))
            let candidates = QRPadding.candidates(data: stream, version: matrix.version)
            // Every encoder ending is among them, and the one after the last segment is right.
            let right = candidates.contains { known in known.allSatisfy { stream[$0.key] == $0.value } }
            #expect(right, "\(text) version \(matrix.version) level \(level)")
            let padded = candidates.flatMap(\.values).contains(0xEC)
            #expect(padded, "\(text) version \(matrix.version) level \(level): no pad codewords found")
        }
    }

    @Test("headers that do not fit, or a full symbol, give no padding")
    func noPadding() {
        // Byte mode, 200 bytes announced in 10 data codewords.
        #expect(QRPadding.candidates(data: [0x4C, 0x80] + [UInt8](repeating: 0, count: 8), version: 1).isEmpty)
        // A reserved mode (0110) first.
        #expect(QRPadding.candidates(data: [0x60] + [UInt8](repeating: 0xEC, count: 9), version: 1).isEmpty)
        // Numeric, 3 digits, ending exactly where the data ends: nothing after it.
        let full: [UInt8] = [0x10, 0x0C, 0x00]  // 0001 0000000011 0000000000 (24 bits)
        #expect(QRPadding.segmentEnds(data: full, version: 1) == [24])
        #expect(QRPadding.candidates(data: full, version: 1).isEmpty)
    }

    @Test("ECI, FNC1 and structured-append headers are stepped over, not taken for the message's end")
    func headersWithoutCharacters() {
        // Bits: structured append (0011 + 16), ECI 26 (0111 + 8), FNC1 first (0101), then
        // byte mode, 3 bytes (0100 + 8 + 24), terminator, zero bits, pad codewords: 16 codewords.
        var bits: [Int] = []
        func put(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append(value >> i & 1) }
        }
        put(0b0011, 4)
        put(0x1234, 16)
        put(0b0111, 4)
        put(26, 8)
        put(0b0101, 4)
        put(0b0100, 4)
        put(3, 8)
        put(0x414243, 24)
        let end = bits.count
        put(0, 4)
        while bits.count % 8 != 0 { bits.append(0) }
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            UInt8(bits[start..<(start + 8)].reduce(0) { $0 << 1 | $1 })
        }
        let firstPad = data.count
        while data.count < 16 { data.append(data.count % 2 == firstPad % 2 ? 0xEC : 0x11) }
        #expect(QRPadding.segmentEnds(data: data, version: 1) == [end])
        let known = QRPadding.candidates(data: data, version: 1).first
        #expect(known?.keys.sorted() == Array(((end + 7) / 8)..<16))
        #expect(known?.allSatisfy { data[$0.key] == $0.value } == true)
    }

    @Test("glare over more codewords than the parity can erase is mended when the rest is padding")
    func glareOverPadding() throws {
        // A 20-character id in a version 2-M symbol (one block: 28 data codewords, 16 ECC):
        // the message takes 17 codewords, 11 are padding.
        let text = "K7QF2M9X4HWDPR3AV8EN"
        let matrix = try QREncoder.encode(text: text, level: .medium, version: 2)
        let (layout, level, codewords, modules) = Self.codewords(matrix)
        let (parity, data) = layout.blocks(level: level)
        #expect(parity == 16 && data == [28])
        let stream = Array(codewords.prefix(28))
        let padding = try #require(QRPadding.candidates(data: stream, version: 2).first)
        // Every padding codeword unknown, and as many message and ECC codewords as the parity can
        // erase with two spare: beyond the parity without the padding, within it with.
        let message = (0..<28).filter { padding[$0] == nil }
        let lost = padding.keys.sorted() + Array(message.suffix(4)) + Array(28..<38)
        #expect(lost.count > parity)
        var dark = matrix.modules
        var reliability = [Double](repeating: 0.5, count: dark.count)
        for codeword in lost {
            for index in modules[codeword] {
                dark[index] = false
                reliability[index] = 0
            }
        }
        let mended = QRRepair.mend(dark: dark, reliability: reliability, dim: matrix.size)
        let right = mended == matrix.modules
        #expect(right, "mended: \(mended != nil)")
        // One message codeword more, and it must refuse rather than draw another symbol.
        for index in modules[message[message.count - 5]] {
            dark[index].toggle()
            reliability[index] = 0.5
        }
        let refused = QRRepair.mend(dark: dark, reliability: reliability, dim: matrix.size)
        let refusedOrRight = refused == nil || refused == matrix.modules
        #expect(refusedOrRight)
    }

    @Test("random damage, flagged and not: the repair mends right or refuses, never draws another symbol")
    func neverWrong() throws {
        var random = QRRepairTests.Bytes(state: 2026)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var mended = 0, tried = 0
        for trial in 0..<1000 {
            let length = 16 + random.below(11)
            let id = String((0..<length).map { _ in alphabet[random.below(alphabet.count)] })
            let text = trial % 2 == 0 ? id : "https://cpn.example/r/" + id
            let level = [ErrorCorrection.low, .medium, .quartile, .high][trial % 4]
            let matrix = try QREncoder.encode(text: text, level: level, version: 2 + trial % 4)
            let (layout, _, _, _) = Self.codewords(matrix)
            // A glare disc (unknown modules) somewhere over the data, and a few modules misread
            // with confidence (the errors a decoder is not told about).
            var dark = matrix.modules
            var reliability = [Double](repeating: 0.4, count: dark.count)
            let cx = Double(random.below(matrix.size)), cy = Double(random.below(matrix.size))
            let radius = 3 + Double(random.below(90)) / 10
            for index in layout.dataBits {
                let dx = Double(index % matrix.size) - cx, dy = Double(index / matrix.size) - cy
                if dx * dx + dy * dy <= radius * radius {
                    dark[index] = random.below(4) == 0
                    reliability[index] = Double(random.below(5)) / 100
                }
            }
            for _ in 0..<random.below(9) {
                let index = layout.dataBits[random.below(layout.dataBits.count)]
                dark[index].toggle()
            }
            tried += 1
            guard let result = QRRepair.mend(dark: dark, reliability: reliability, dim: matrix.size) else { continue }
            let right = result == matrix.modules
            #expect(right, "trial \(trial): a wrong symbol drawn")
            mended += 1
        }
        // Some of the damage is within reach, or the test shows nothing (measured: 727 of 1000).
        #expect(mended >= tried / 2, "mended \(mended) of \(tried)")
    }
}
