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

    /// Decodes every code zbar can find in `image`.
    /// - Throws: ``ScanError`` only when zbar itself fails; no code found is an empty result.
    public func decode(_ image: GreyImage) throws(ScanError) -> DecodeResult {
        let inputs = PassInputs(image)
        var tried = 0
        for pass in passes {
            guard let (prepared, back) = pass.prepare(inputs) else { continue }
            tried += 1
            let scanner = try ZBarScanner(symbologies: symbologies)
            let raw = try scanner.scan(prepared)
            let symbols = SymbolFilter.accept(raw, pass: pass.name, mapping: back, symbologies: symbologies)
            if !symbols.isEmpty { return DecodeResult(symbols: symbols, passesTried: tried) }
        }
        return DecodeResult(symbols: [], passesTried: tried)
    }
}

/// What the pipeline found in one image.
public struct DecodeResult: Sendable {
    public var symbols: [DecodedSymbol]
    /// How many passes ran before the result (all of them when nothing was found).
    public var passesTried: Int
}
