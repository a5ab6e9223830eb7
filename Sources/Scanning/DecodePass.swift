import Imaging

/// One attempt of the decode pipeline: a way to prepare the image before zbar sees it.
public struct DecodePass: Sendable {
    /// A short stable name, reported with each symbol (`half-otsu`, `full`, ...).
    public internal(set) var name: String
    /// The name of the image preparation, shared by a pass, its ``sparse()`` twin and its
    /// ``inBarRegion(maxShortSide:)`` part: reads of one preparation confirm no weak read of it.
    let preparation: String
    /// Prepares the images zbar scans for this pass, from the shared per-image cache: none when the
    /// pass does not apply (too small to halve, say), usually one, or for the QR locator groups of
    /// candidates that are only computed when the ones before them failed. Each homography maps
    /// pass coordinates back to the original image.
    var prepare: @Sendable (PassInputs) -> [() -> [(GreyImage, Homography)]]
    /// What the pass costs, preparation and zbar: the pipeline's work budget is counted in these.
    var cost: Cost
    /// Whether the preparation keeps 1-D bar widths as they are (the image itself, a global
    /// threshold, an area-averaged shrink), as opposed to a local threshold or an enlargement.
    var keepsBarWidths = false
    /// zbar scans every `x`-th column and `y`-th row of the prepared image.
    var density: (x: Int32, y: Int32) = (1, 1)
    /// The lines of the image each of zbar's outline points stands for: 2 for a ``sparse()``
    /// pass, 1 otherwise (an enlarged image's extra lines are no extra evidence).
    var linesPerPoint = 1
    /// The pixels the pass's cost is counted on: the whole image, or the part a pass works on.
    var costedPixels: @Sendable (PassInputs) -> Int = { $0.original.width * $0.original.height }

    init(_ name: String, cost: Cost, prepare: @escaping @Sendable (PassInputs) -> (GreyImage, Homography)?) {
        self.name = name
        self.preparation = name
        self.cost = cost
        self.prepare = { inputs in prepare(inputs).map { candidate in [{ [candidate] }] } ?? [] }
    }

    init(
        name: String, cost: Cost, prepareLazily: @escaping @Sendable (PassInputs) -> [() -> [(GreyImage, Homography)]]
    ) {
        self.name = name
        self.preparation = name
        self.cost = cost
        self.prepare = prepareLazily
    }
}

extension DecodePass {
    /// The cost of a pass, measured on the sample photos (`coupon-bench scan --trace`), in
    /// units of plain zbar's scan of a one-megapixel image: a part proportional to the image's
    /// pixels and a fixed part (the QR locator's grid search hardly depends on the image size).
    public struct Cost: Sendable {
        public var perMegapixel: Double
        public var fixed: Double

        public init(perMegapixel: Double, fixed: Double = 0) {
            self.perMegapixel = perMegapixel
            self.fixed = fixed
        }

        /// The cost for an image of `pixels` pixels.
        public func callAsFunction(pixels: Int) -> Double { fixed + perMegapixel * Double(pixels) / 1e6 }
    }
}

/// The source image and the derived images several passes share, each computed at most once.
final class PassInputs {
    let original: GreyImage
    private var scaled: [Int: GreyImage] = [:]

    /// CLAHE tiles across the image: 8 for a whole image, fewer for a region, so that a tile
    /// covers as much of the code as on the whole image.
    let claheTiles: Int

    init(_ original: GreyImage, claheTiles: Int = 8) {
        self.original = original
        self.claheTiles = claheTiles
    }

    var shortSide: Int { min(original.width, original.height) }

    /// The original shrunk by an integer factor (area average), cached.
    func shrunk(_ factor: Int) -> GreyImage {
        if factor == 1 { return original }
        if let cached = scaled[factor] { return cached }
        let image =
            factor % 2 == 0 && factor > 2 ? shrunk(factor / 2).downscaled(by: 2) : original.downscaled(by: factor)
        scaled[factor] = image
        return image
    }

    /// Where the original shows bars (found at half size when it is large), in its pixels, cached.
    lazy var barRegion: BarRegion? = {
        let factor = shortSide >= 360 ? 2 : 1
        return BarRegion.find(in: shrunk(factor)).map {
            $0.scaled(by: factor, clippedTo: (original.width, original.height))
        }
    }()

    /// The inputs of the bar region's part of the original, cached; nil without a region or when
    /// the region is most of the image.
    lazy var barRegionInputs: PassInputs? = {
        guard let r = barRegion, r.width >= 16, r.height >= 16,
            Self.isPart(width: r.width, height: r.height, of: original)
        else { return nil }
        let tiles = max(
            2,
            (8 * max(r.width, r.height) + max(original.width, original.height) / 2)
                / max(original.width, original.height))
        return PassInputs(
            original.cropped(x: r.x, y: r.y, width: r.width, height: r.height), claheTiles: tiles)
    }()

    /// The original binarised with the integral-image adaptive threshold, cached.
    lazy var adaptiveBinary: GreyImage = original.adaptiveBinarized(
        block: max(15, min(original.width, original.height) / 8) | 1)

    /// Whether a `width` x `height` crop of `image` is small enough to be worth working on apart
    /// (under 70% of it): a crop of most of the image saves little and repeats the whole-image work.
    static func isPart(width: Int, height: Int, of image: GreyImage) -> Bool {
        10 * width * height < 7 * image.width * image.height
    }

    /// Maps coordinates of an image scaled by `factor` back to the original.
    static func scale(_ factor: Double) -> Homography {
        Homography(scale: 1 / factor)
    }
}
