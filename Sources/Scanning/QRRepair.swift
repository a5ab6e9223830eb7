/// Mends a QR symbol sampled from a photo before zbar decodes it, using what zbar's own decoder
/// cannot: which modules are unreliable.
///
/// Glare on a phone screen saturates part of the code: the modules under it are not wrong but
/// unknown. zbar's Reed-Solomon decoder corrects errors only, so it fails once they pass half the
/// ECC codewords. Told which codewords are unknown (erasures), the same code corrects twice as
/// many. This reads the format bits, unmasks and de-interleaves the codewords, corrects each block
/// with erasures where the samples are unreliable (and, when that is not enough, with the padding
/// after the message taken as known: ``QRPadding``), and draws the mended symbol with clean
/// function patterns. The payload is still decoded by zbar, from the mended drawing.
enum QRRepair {
    /// The mended symbol's modules (true is dark), row by row, or nil when the samples do not
    /// make a symbol this can mend (no format, a block beyond repair) or there was nothing to mend.
    /// - Parameters:
    ///   - dark: the decision for each module (dark true), row by row, `dim` x `dim`.
    ///   - reliability: for each module, how far its shade is from the decision's threshold,
    ///     in units of the symbol's contrast; glare and blur make it small.
    static func mend(dark: [Bool], reliability: [Double], dim: Int) -> [Bool]? {
        guard let layout = QRLayout(dim: dim), dark.count == dim * dim, reliability.count == dim * dim else {
            return nil
        }
        for (level, mask) in formats(dark: dark, reliability: reliability, layout: layout).prefix(2) {
            if let mended = mend(dark: dark, reliability: reliability, layout: layout, level: level, mask: mask) {
                return mended
            }
        }
        return nil
    }

    /// Every (level, mask) ordered by how well it matches both copies of the format bits, each
    /// mismatch weighted by the module's reliability.
    static func formats(dark: [Bool], reliability: [Double], layout: QRLayout) -> [(QRLevel, Int)] {
        let copies = layout.formatPositions()
        var scored: [(Double, QRLevel, Int)] = []
        for level in QRLevel.allCases {
            for mask in 0..<8 {
                let bits = level.format(mask: mask)
                var distance = 0.0
                for copy in copies {
                    for (i, p) in copy.enumerated() where dark[p.y * layout.dim + p.x] != (bits >> i & 1 == 1) {
                        distance += 0.05 + reliability[p.y * layout.dim + p.x]
                    }
                }
                scored.append((distance, level, mask))
            }
        }
        return scored.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
    }

    static func mend(dark: [Bool], reliability: [Double], layout: QRLayout, level: QRLevel, mask: Int) -> [Bool]? {
        let dim = layout.dim, count = layout.totalCodewords
        let (codewords, trust) = Self.codewords(dark: dark, reliability: reliability, layout: layout, mask: mask)
        // De-interleave: data codewords block by block in turn, then the ECC codewords.
        let (parity, dataCounts) = layout.blocks(level: level)
        var members = dataCounts.map { _ in [Int]() }
        var next = 0
        for i in 0..<(dataCounts.max() ?? 0) {
            for b in dataCounts.indices where i < dataCounts[b] {
                members[b].append(next)
                next += 1
            }
        }
        for _ in 0..<parity {
            for b in dataCounts.indices {
                members[b].append(next)
                next += 1
            }
        }
        guard next == count else { return nil }
        func corrected(_ codewords: [UInt8], _ trust: [Double]) -> (mended: [UInt8], changed: Int)? {
            var mended = codewords
            var changed = 0
            for positions in members {
                let block = positions.map { codewords[$0] }
                guard let fixed = correct(block, trust: positions.map { trust[$0] }, parity: parity) else { return nil }
                for (k, p) in positions.enumerated() { mended[p] = fixed.block[k] }
                changed += fixed.changed.count
            }
            return (mended, changed)
        }
        // The data codewords in stream order: block by block.
        let stream = zip(members, dataCounts).flatMap { positions, data in positions.prefix(data) }
        var result = corrected(codewords, trust)
        if result == nil {
            // Beyond repair as sampled: the codewords the encoder must have written after the
            // message are known once its end is, so the parity is spent on the rest. A wrong guess
            // of where the message ends is refused by the spare parity like any other damage.
            let data = stream.map { codewords[$0] }
            for padding in QRPadding.candidates(data: data, version: layout.version) where result == nil {
                var filled = codewords, sure = trust
                for (index, value) in padding {
                    filled[stream[index]] = value
                    sure[stream[index]] = .infinity
                }
                result = corrected(filled, sure)
            }
        }
        guard let (mended, changed) = result else { return nil }
        var out = drawFunctionPatterns(layout: layout, format: level.format(mask: mask))
        // The remainder bits after the last codeword are zeros, masked like the data.
        for index in 0..<(dim * dim) where !layout.isFunction[index] {
            out[index] = QRLayout.masks(mask, x: index % dim, y: index / dim)
        }
        for (bit, index) in layout.dataBits.enumerated() {
            let value = mended[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0
            out[index] = value != QRLayout.masks(mask, x: index % dim, y: index / dim)
        }
        // Nothing mended and the same modules: the plain sampled candidate already showed zbar this.
        guard changed > 0 || out != dark else { return nil }
        return out
    }

    /// The unmasked codewords in placement order (codeword k is in the modules
    /// `layout.dataBits[8k ..< 8k + 8]`), and each one's reliability: that of its least reliable
    /// module.
    static func codewords(dark: [Bool], reliability: [Double], layout: QRLayout, mask: Int) -> (
        codewords: [UInt8], trust: [Double]
    ) {
        var codewords = [UInt8](repeating: 0, count: layout.totalCodewords)
        var trust = [Double](repeating: .infinity, count: layout.totalCodewords)
        for (bit, index) in layout.dataBits.enumerated() {
            if dark[index] != QRLayout.masks(mask, x: index % layout.dim, y: index / layout.dim) {
                codewords[bit / 8] |= 0x80 >> UInt8(bit % 8)
            }
            trust[bit / 8] = min(trust[bit / 8], reliability[index])
        }
        return (codewords, trust)
    }

    /// Corrects one block: first as zbar would (errors only), then with the least reliable
    /// codewords as erasures, more of them each time, keeping two ECC codewords spare so a block
    /// damaged beyond repair is refused rather than turned into another valid block.
    static func correct(_ block: [UInt8], trust: [Double], parity: Int) -> ReedSolomon.Correction? {
        if let plain = ReedSolomon.correct(block, parity: parity, erasures: []) { return plain }
        let margin = 2
        let order = trust.indices.sorted { trust[$0] < trust[$1] }
        var tried: Set<Int> = []
        for threshold in thresholds {
            let count = min(order.prefix { trust[$0] < threshold }.count, parity - margin)
            guard count > 0, tried.insert(count).inserted else { continue }
            let erasures = Array(order.prefix(count))
            if let fixed = ReedSolomon.correct(block, parity: parity, erasures: erasures, margin: margin) {
                return fixed
            }
        }
        return nil
    }

    /// Reliability levels below which codewords are tried as erasures, fewest erasures first;
    /// the last tries as many as the spare parity allows.
    static let thresholds = [0.02, 0.05, 0.08, 0.12, 0.2, 0.3, 0.45, Double.infinity]

    /// A symbol with only its function patterns drawn: finders, separators, timing, alignment,
    /// format and version information, the dark module.
    static func drawFunctionPatterns(layout: QRLayout, format: Int) -> [Bool] {
        let dim = layout.dim
        var out = [Bool](repeating: false, count: dim * dim)
        func set(_ x: Int, _ y: Int, _ value: Bool) { out[y * dim + x] = value }
        for (cx, cy) in [(3, 3), (dim - 4, 3), (3, dim - 4)] {
            for dy in -3...3 {
                for dx in -3...3 {
                    let ring = max(abs(dx), abs(dy))
                    set(cx + dx, cy + dy, ring == 3 || ring <= 1)
                }
            }
        }
        for i in 8..<(dim - 8) {
            set(i, 6, i % 2 == 0)
            set(6, i, i % 2 == 0)
        }
        for (cx, cy) in QRLayout.alignmentPatterns(version: layout.version) {
            for dy in -2...2 { for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) } }
        }
        for copy in layout.formatPositions() {
            for (i, p) in copy.enumerated() { set(p.x, p.y, format >> i & 1 == 1) }
        }
        set(8, dim - 8, true)
        if layout.version >= 7 {
            let bits = versionBits(layout.version)
            for i in 0..<18 {
                let value = bits >> i & 1 == 1
                set(i / 3, dim - 11 + i % 3, value)
                set(dim - 11 + i % 3, i / 3, value)
            }
        }
        return out
    }

    /// The 18 version bits: BCH(18,6) of the version number.
    static func versionBits(_ version: Int) -> Int {
        var remainder = version << 12
        for bit in stride(from: 17, through: 12, by: -1) where remainder & (1 << bit) != 0 {
            remainder ^= 0x1F25 << (bit - 12)
        }
        return version << 12 | remainder
    }
}
