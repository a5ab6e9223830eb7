import Imaging

/// What the QR locator saw in an image, for the benchmark's `inspect` command.
public struct QRLocatorReport: Sendable {
    public var finderPatterns: [(center: Point, moduleSize: Double, count: Int)]
    public var binary: GreyImage
    public var candidates: [GreyImage]
}

extension DecodePipeline {
    /// Runs the QR locator's steps on `image` and returns what each produced.
    public static func inspectLocator(_ image: GreyImage, inverted: Bool = false) -> QRLocatorReport {
        let inputs = PassInputs(image)
        let factor = inputs.shortSide >= 900 ? 2 : 1
        let small = inputs.shrunk(factor)
        var binary = small.adaptiveBinarized(block: max(15, min(small.width, small.height) / 8) | 1)
        var grey = image
        if inverted {
            binary = binary.inverted()
            grey = grey.inverted()
        }
        let patterns = FinderPatternFinder(image: binary).find().map { ($0.center, $0.moduleSize, $0.count) }
        let candidates = QRLocator.candidates(grey: grey, binary: binary, binaryScale: 1 / Double(factor)).map(\.0)
        return QRLocatorReport(finderPatterns: patterns, binary: binary, candidates: candidates)
    }
}
