import Imaging

/// One attempt of the decode pipeline: a way to prepare the image before zbar sees it.
public struct DecodePass: Sendable {
    /// A short stable name, reported with each symbol (`half-otsu`, `full`, ...).
    public let name: String
    /// Prepares the images zbar scans for this pass, from the shared per-image cache: none when the
    /// pass does not apply (too small to halve, say), usually one, or for the QR locator groups of
    /// candidates that are only computed when the ones before them failed. Each homography maps
    /// pass coordinates back to the original image.
    let prepare: @Sendable (PassInputs) -> [() -> [(GreyImage, Homography)]]
    /// Roughly what the pass costs, preparation and zbar, in units of one zbar scan of the
    /// original image: the pipeline's work budget is counted in these.
    let cost: Double
    /// zbar scans every `density`-th row and column of the prepared image.
    var density: Int32 = 1

    init(_ name: String, cost: Double, prepare: @escaping @Sendable (PassInputs) -> (GreyImage, Homography)?) {
        self.name = name
        self.cost = cost
        self.prepare = { inputs in prepare(inputs).map { candidate in [{ [candidate] }] } ?? [] }
    }

    init(
        name: String, cost: Double, prepareLazily: @escaping @Sendable (PassInputs) -> [() -> [(GreyImage, Homography)]]
    ) {
        self.name = name
        self.cost = cost
        self.prepare = prepareLazily
    }
}

/// The source image and the derived images several passes share, each computed at most once.
final class PassInputs {
    let original: GreyImage
    private var scaled: [Int: GreyImage] = [:]

    init(_ original: GreyImage) { self.original = original }

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

    /// Maps coordinates of an image scaled by `factor` back to the original.
    static func scale(_ factor: Double) -> Homography {
        Homography(matrix: [1 / factor, 0, 0, 0, 1 / factor, 0, 0, 0, 1])
    }
}
