/// Where everything sits in a QR symbol of one version (ISO/IEC 18004): the function patterns,
/// the format bits, the order data bits are placed in, the masks and the error-correction
/// blocks. ``QRRepair`` reads codewords from a sampled grid with it and writes mended ones back.
struct QRLayout {
    let version: Int
    let dim: Int
    /// True for modules of function patterns (finders, separators, timing, alignment, format and
    /// version information, the dark module): they hold no data.
    let isFunction: [Bool]
    /// The module index of each data bit in placement order (codeword 0's most significant bit
    /// first); the remainder bits after the last whole codeword are left out.
    let dataBits: [Int]

    /// The layout for a symbol `dim` modules wide; nil when no QR version has that size.
    init?(dim: Int) {
        guard dim >= 21, dim <= 177, (dim - 17) % 4 == 0 else { return nil }
        self.dim = dim
        version = (dim - 17) / 4
        var function = [Bool](repeating: false, count: dim * dim)
        func mark(_ x: Int, _ y: Int, _ w: Int, _ h: Int) {
            for j in y..<(y + h) {
                for i in x..<(x + w) where (0..<dim).contains(i) && (0..<dim).contains(j) {
                    function[j * dim + i] = true
                }
            }
        }
        // Finders with separators, and the format areas beside them (row and column 8).
        mark(0, 0, 9, 9)
        mark(dim - 8, 0, 8, 9)
        mark(0, dim - 8, 9, 8)
        // Timing patterns.
        mark(6, 0, 1, dim)
        mark(0, 6, dim, 1)
        // Alignment patterns, except where a finder is.
        for (cx, cy) in QRLayout.alignmentPatterns(version: version) { mark(cx - 2, cy - 2, 5, 5) }
        // Version information, from version 7.
        if version >= 7 {
            mark(dim - 11, 0, 3, 6)
            mark(0, dim - 11, 6, 3)
        }
        isFunction = function
        // Two columns at a time from the right, up then down, skipping the vertical timing column.
        var order: [Int] = []
        var x = dim - 1, upward = true
        while x > 0 {
            if x == 6 { x -= 1 }
            for step in 0..<dim {
                let y = upward ? dim - 1 - step : step
                for i in [x, x - 1] where !function[y * dim + i] { order.append(y * dim + i) }
            }
            upward.toggle()
            x -= 2
        }
        dataBits = Array(order.prefix(order.count / 8 * 8))
    }

    /// Codewords in the symbol, data and ECC.
    var totalCodewords: Int { dataBits.count / 8 }

    /// The centres (x, y) of the alignment patterns: every pair of ``alignmentCentres(version:)``
    /// but the three where a finder pattern is.
    static func alignmentPatterns(version: Int) -> [(x: Int, y: Int)] {
        let centres = alignmentCentres(version: version), last = centres.last ?? 0
        return centres.flatMap { cy in
            centres.compactMap { cx in
                (cx == 6 && cy == 6) || (cx == last && cy == 6) || (cx == 6 && cy == last) ? nil : (cx, cy)
            }
        }
    }

    /// Row and column centres of the alignment patterns.
    static func alignmentCentres(version: Int) -> [Int] {
        guard version >= 2 else { return [] }
        let count = version / 7 + 2, last = 4 * version + 10
        // The spacing is (last - 6) / (count - 1) rounded up to an even number, but for version 32.
        let spacing = (last - 6 + count - 2) / (count - 1)
        let step = version == 32 ? 26 : (spacing + 1) / 2 * 2
        return [6] + (0..<(count - 1)).reversed().map { last - $0 * step }
    }

    /// The error-correction blocks for `level`: ECC codewords per block, and the data codewords
    /// of each block in order (the later blocks may hold one more).
    func blocks(level: QRLevel) -> (parity: Int, data: [Int]) {
        let (parity, short, long) = QRLayout.ecTable[version - 1][level.rawValue]
        let count = short + long
        let dataTotal = totalCodewords - parity * count
        let shortData = dataTotal / count
        return (parity, Array(repeating: shortData, count: short) + Array(repeating: shortData + 1, count: long))
    }

    /// Whether mask `mask` flips the module at column `x`, row `y`.
    static func masks(_ mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (x + y) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (x + y) % 3 == 0
        case 4: (y / 2 + x / 3) % 2 == 0
        case 5: (x * y) % 2 + (x * y) % 3 == 0
        case 6: ((x * y) % 2 + (x * y) % 3) % 2 == 0
        default: ((x + y) % 2 + (x * y) % 3) % 2 == 0
        }
    }

    /// The two copies of the 15 format bits: module (x, y) of bit i (bit 0 the least significant).
    func formatPositions() -> [[(x: Int, y: Int)]] {
        var first: [(Int, Int)] = [], second: [(Int, Int)] = []
        for i in 0..<15 {
            first.append(i < 6 ? (8, i) : i < 8 ? (8, i + 1) : i == 8 ? (7, 8) : (14 - i, 8))
            second.append(i < 8 ? (dim - 1 - i, 8) : (8, dim - 15 + i))
        }
        return [first, second]
    }

    /// (ECC codewords per block, blocks of the shorter size, blocks one data codeword longer),
    /// per version and level L, M, Q, H (ISO/IEC 18004, table 9).
    static let ecTable: [[(Int, Int, Int)]] = [
        [(7, 1, 0), (10, 1, 0), (13, 1, 0), (17, 1, 0)],  // 1
        [(10, 1, 0), (16, 1, 0), (22, 1, 0), (28, 1, 0)],  // 2
        [(15, 1, 0), (26, 1, 0), (18, 2, 0), (22, 2, 0)],  // 3
        [(20, 1, 0), (18, 2, 0), (26, 2, 0), (16, 4, 0)],  // 4
        [(26, 1, 0), (24, 2, 0), (18, 2, 2), (22, 2, 2)],  // 5
        [(18, 2, 0), (16, 4, 0), (24, 4, 0), (28, 4, 0)],  // 6
        [(20, 2, 0), (18, 4, 0), (18, 2, 4), (26, 4, 1)],  // 7
        [(24, 2, 0), (22, 2, 2), (22, 4, 2), (26, 4, 2)],  // 8
        [(30, 2, 0), (22, 3, 2), (20, 4, 4), (24, 4, 4)],  // 9
        [(18, 2, 2), (26, 4, 1), (24, 6, 2), (28, 6, 2)],  // 10
        [(20, 4, 0), (30, 1, 4), (28, 4, 4), (24, 3, 8)],  // 11
        [(24, 2, 2), (22, 6, 2), (26, 4, 6), (28, 7, 4)],  // 12
        [(26, 4, 0), (22, 8, 1), (24, 8, 4), (22, 12, 4)],  // 13
        [(30, 3, 1), (24, 4, 5), (20, 11, 5), (24, 11, 5)],  // 14
        [(22, 5, 1), (24, 5, 5), (30, 5, 7), (24, 11, 7)],  // 15
        [(24, 5, 1), (28, 7, 3), (24, 15, 2), (30, 3, 13)],  // 16
        [(28, 1, 5), (28, 10, 1), (28, 1, 15), (28, 2, 17)],  // 17
        [(30, 5, 1), (26, 9, 4), (28, 17, 1), (28, 2, 19)],  // 18
        [(28, 3, 4), (26, 3, 11), (26, 17, 4), (26, 9, 16)],  // 19
        [(28, 3, 5), (26, 3, 13), (30, 15, 5), (28, 15, 10)],  // 20
        [(28, 4, 4), (26, 17, 0), (28, 17, 6), (30, 19, 6)],  // 21
        [(28, 2, 7), (28, 17, 0), (30, 7, 16), (24, 34, 0)],  // 22
        [(30, 4, 5), (28, 4, 14), (30, 11, 14), (30, 16, 14)],  // 23
        [(30, 6, 4), (28, 6, 14), (30, 11, 16), (30, 30, 2)],  // 24
        [(26, 8, 4), (28, 8, 13), (30, 7, 22), (30, 22, 13)],  // 25
        [(28, 10, 2), (28, 19, 4), (28, 28, 6), (30, 33, 4)],  // 26
        [(30, 8, 4), (28, 22, 3), (30, 8, 26), (30, 12, 28)],  // 27
        [(30, 3, 10), (28, 3, 23), (30, 4, 31), (30, 11, 31)],  // 28
        [(30, 7, 7), (28, 21, 7), (30, 1, 37), (30, 19, 26)],  // 29
        [(30, 5, 10), (28, 19, 10), (30, 15, 25), (30, 23, 25)],  // 30
        [(30, 13, 3), (28, 2, 29), (30, 42, 1), (30, 23, 28)],  // 31
        [(30, 17, 0), (28, 10, 23), (30, 10, 35), (30, 19, 35)],  // 32
        [(30, 17, 1), (28, 14, 21), (30, 29, 19), (30, 11, 46)],  // 33
        [(30, 13, 6), (28, 14, 23), (30, 44, 7), (30, 59, 1)],  // 34
        [(30, 12, 7), (28, 12, 26), (30, 39, 14), (30, 22, 41)],  // 35
        [(30, 6, 14), (28, 6, 34), (30, 46, 10), (30, 2, 64)],  // 36
        [(30, 17, 4), (28, 29, 14), (30, 49, 10), (30, 24, 46)],  // 37
        [(30, 4, 18), (28, 13, 32), (30, 48, 14), (30, 42, 32)],  // 38
        [(30, 20, 4), (28, 40, 7), (30, 43, 22), (30, 10, 67)],  // 39
        [(30, 19, 6), (28, 18, 31), (30, 34, 34), (30, 20, 61)],  // 40
    ]
}

/// The error-correction level of a QR symbol.
enum QRLevel: Int, CaseIterable {
    /// In the order of the columns of ``QRLayout/ecTable``.
    case l, m, q, h

    /// The two level bits of the format information (L 01, M 00, Q 11, H 10).
    var formatBits: Int { [1, 0, 3, 2][rawValue] }

    /// The 15 format bits for this level and `mask`: BCH(15,5) with the fixed XOR pattern.
    func format(mask: Int) -> Int {
        let data = formatBits << 3 | mask
        var remainder = data << 10
        for bit in stride(from: 14, through: 10, by: -1) where remainder & (1 << bit) != 0 {
            remainder ^= 0x537 << (bit - 10)
        }
        return (data << 10 | remainder) ^ 0x5412
    }
}
