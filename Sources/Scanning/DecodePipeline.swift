import Imaging

/// The cascade of passes around zbar that reads photos zbar alone misses.
///
/// Passes run cheapest first and the cascade stops at the first pass that yields a valid symbol,
/// so an easy image costs one fast pass. A failing image walks the cascade within a work budget.
///
/// ```swift
/// let pipeline = DecodePipeline(symbologies: [.qr, .ean13])
/// let symbols = try pipeline.decode(image).symbols
/// ```
public struct DecodePipeline: Sendable {
    public let symbologies: Set<Symbology>
    public let passes: [DecodePass]
    /// How much work a failing image may cost, in plain zbar scans of the image (see
    /// ``DecodePass/Cost``): the cascade skips a pass that would overrun it.
    public var workBudget = 10.0
    /// Small images may cost this much whatever their size, in scans of a one-megapixel image
    /// (0.6 is about 15 ms on the machine of docs/benchmarks.md, 2026-12-01): the QR locator's
    /// grid search costs about the same on any image.
    public var workFloor = 0.6
    /// Keep zbar's XML of each symbol (``DecodedSymbol/zbarXML``), for `scan --xml`; off, the
    /// decode and frame paths do not pay for it.
    public var describesSymbols = false

    /// A pipeline with the standard cascade for `symbologies`.
    public init(symbologies: Set<Symbology> = Set(Symbology.allCases)) {
        self.init(symbologies: symbologies, passes: DecodePass.standard(for: symbologies))
    }

    /// A pipeline with custom passes (a single `.plain` pass is zbar on its own).
    public init(symbologies: Set<Symbology>, passes: [DecodePass]) {
        self.symbologies = symbologies
        self.passes = passes
    }

    /// Plain zbar: one pass on the image as it is, the baseline of the benchmark.
    public static func singlePass(symbologies: Set<Symbology> = Set(Symbology.allCases)) -> DecodePipeline {
        DecodePipeline(symbologies: symbologies, passes: [.plain])
    }

    /// A light cascade for video frames: a code in front of a camera is seen in many frames, so
    /// each frame gets a few cheap passes instead of the whole cascade a single photo deserves.
    public static func frames(symbologies: Set<Symbology> = Set(Symbology.allCases)) -> DecodePipeline {
        var pipeline = DecodePipeline(
            symbologies: symbologies,
            passes: [
                .plain, .shrunkOtsu(2, minShortSide: 360), .otsu(), .shrunkOtsu(2, minShortSide: 360, inverted: true),
            ])
        pipeline.workBudget = 4
        return pipeline
    }

    /// Decodes every code zbar can find in `image`.
    /// - Throws: ``ScanError`` only when zbar itself fails; no code found is an empty result.
    public func decode(_ image: GreyImage) throws(ScanError) -> DecodeResult {
        try decode(image, trace: nil)
    }

    /// Decodes as ``decode(_:)`` does, telling `trace` after each pass what it cost and found
    /// (`coupon-bench scan --trace` uses it to see where a slow photo's time goes).
    public func decode(
        _ image: GreyImage, trace: ((_ pass: String, _ scans: Int, _ found: Int, _ elapsed: Duration) -> Void)?
    ) throws(ScanError) -> DecodeResult {
        let clock = ContinuousClock()
        let inputs = PassInputs(image)
        var tried = 0
        // A 1-D read seen on few scan lines is weak: zbar's misreads look like that. It is kept
        // as a candidate while the cascade looks for a strong read or a second pass that agrees.
        var candidates: [(symbol: DecodedSymbol, preparation: String)] = []
        // The work budget: a failing image must not cost many times what an easy one does.
        let pixels = image.width * image.height
        var budget = max(workBudget * Double(pixels) / 1e6, workFloor)
        // After a pass that found only weak reads, the next pass scans just the region around
        // them first: a confirmation there costs a fraction of a whole scan.
        var focus: Region?
        for pass in passes {
            let cost = pass.cost(pixels: pass.costedPixels(inputs))
            guard cost <= budget else { continue }
            // Only a traced decode reads the clock.
            let started = trace == nil ? nil : clock.now, triedBefore = tried
            let groups = pass.prepare(inputs)
            // A pass that does not apply to this image (too small to halve, say) costs nothing.
            if groups.isEmpty {
                // Finding that a pass does not apply can take time too (the QR locator's search).
                if let trace, let started { trace(pass.name + " (nothing to scan)", 0, 0, clock.now - started) }
                continue
            }
            budget -= cost
            var symbols: [DecodedSymbol] = []
            search: for group in groups {
                for (prepared, back) in group() {
                    tried += 1
                    let (image, mapping) = focus.flatMap { $0.crop(prepared, back) } ?? (prepared, back)
                    let scanner = try ZBarScanner(
                        symbologies: symbologies, density: pass.density, describing: describesSymbols)
                    symbols = SymbolFilter.accept(
                        try scanner.scan(image), pass: pass.name, mapping: mapping, symbologies: symbologies)
                    if !symbols.isEmpty { break search }
                }
            }
            focus = nil
            if let trace, let started { trace(pass.name, tried - triedBefore, symbols.count, clock.now - started) }
            if symbols.isEmpty { continue }
            let weak = { (symbol: DecodedSymbol) in
                symbol.isWeak(keptBarWidths: pass.keepsBarWidths, linesPerPoint: pass.linesPerPoint)
            }
            if symbols.contains(where: { !weak($0) }) {
                return DecodeResult(symbols: symbols.filter { !weak($0) || symbols.count == 1 }, passesTried: tried)
            }
            if candidates.isEmpty { focus = Region(around: symbols) }
            for symbol in symbols {
                // The same preparation scanned more densely is no second opinion.
                if candidates.contains(where: {
                    $0.preparation != pass.preparation && $0.symbol.bytes == symbol.bytes
                        && $0.symbol.symbology == symbol.symbology
                }) {
                    return DecodeResult(symbols: [symbol], passesTried: tried)
                }
                candidates.append((symbol, pass.preparation))
            }
        }
        // No pass confirmed anything: the first weak read is still better than nothing.
        return DecodeResult(symbols: candidates.first.map { [$0.symbol] } ?? [], passesTried: tried)
    }
}

/// The part of an image around weak reads, in the original image's coordinates.
struct Region {
    var minX: Double, minY: Double, maxX: Double, maxY: Double

    /// The outlines' bounding box, widened.
    init?(around symbols: [DecodedSymbol]) {
        let points = symbols.flatMap(\.polygon)
        guard let first = points.first else { return nil }
        (minX, minY, maxX, maxY) = (first.x, first.y, first.x, first.y)
        for p in points {
            (minX, maxX) = (min(minX, p.x), max(maxX, p.x))
            (minY, maxY) = (min(minY, p.y), max(maxY, p.y))
        }
        // Along the bars' row, a whole width each way (a short code's phantom lies inside a
        // longer code, which must be in view to drop it); across, a sixth of it.
        let width = maxX - minX, height = maxY - minY, length = max(width, height)
        // A read seen on one scan line may be outlined by a single point: no region to go by.
        guard length >= 24 else { return nil }
        let (along, across) = (length + 8, length / 6 + 6)
        let (dx, dy) = width >= height ? (along, across) : (across, along)
        (minX, minY, maxX, maxY) = (minX - dx, minY - dy, maxX + dx, maxY + dy)
    }

    /// The region's part of a pass's prepared image, with the mapping back to the original; nil
    /// when the pass's mapping is not a plain scale (the QR locator's warps) or the part would
    /// not be much smaller than the whole.
    func crop(_ image: GreyImage, _ back: Homography) -> (GreyImage, Homography)? {
        let m = back.m
        guard m[1] == 0, m[3] == 0, m[6] == 0, m[7] == 0, m[0] > 0, m[4] > 0 else { return nil }
        // Original to pass coordinates: the inverse of the scale and offset.
        let x0 = max(0, Int(((minX - m[2]) / m[0]).rounded(.down)))
        let y0 = max(0, Int(((minY - m[5]) / m[4]).rounded(.down)))
        let x1 = min(image.width, Int(((maxX - m[2]) / m[0]).rounded(.up)))
        let y1 = min(image.height, Int(((maxY - m[5]) / m[4]).rounded(.up)))
        guard x1 > x0, y1 > y0, PassInputs.isPart(width: x1 - x0, height: y1 - y0, of: image) else { return nil }
        let part = image.cropped(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        let shifted = Homography(matrix: [
            m[0], 0, m[2] + m[0] * Double(x0), 0, m[4], m[5] + m[4] * Double(y0), 0, 0, 1,
        ])
        return (part, shifted)
    }
}

extension DecodedSymbol {
    /// A 1-D read found on fewer than 10 scan lines (zbar reports one outline point per line),
    /// or a short code (UPC-E, EAN-8: six or seven digits behind one check digit) on fewer than
    /// 100 after a pass that may move edges (a local threshold or an enlargement can shift an
    /// edge by a pixel, enough to turn one narrow-barred digit into another): zbar's misreads
    /// look like that, so the cascade wants a second pass to agree.
    /// `linesPerPoint`: the image lines each outline point stands for (2 when zbar scanned every
    /// other line of the image, so that a code is as strong as the same code at full density).
    func isWeak(keptBarWidths: Bool, linesPerPoint: Int = 1) -> Bool {
        guard symbology.isLinear else { return false }
        let short = symbology == .upce || symbology == .ean8
        return outlinePoints * linesPerPoint < (short && !keptBarWidths ? 100 : 10)
    }
}

/// What the pipeline found in one image.
public struct DecodeResult: Sendable {
    public var symbols: [DecodedSymbol]
    /// How many passes ran before the result (all of them when nothing was found).
    public var passesTried: Int
}
