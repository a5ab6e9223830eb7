import Imaging

/// What the QR locator saw in an image, for the benchmark's `inspect` command.
public struct QRLocatorReport: Sendable {
    public var finderPatterns: [(center: Point, moduleSize: Double, count: Int)]
    public var binary: GreyImage
    public var candidates: [GreyImage]
}

extension DecodePipeline {
    /// Runs the QR locator on `image` and returns what each step produced.
    public static func inspectLocator(_ image: GreyImage, inverted: Bool = false) -> QRLocatorReport {
        let result = QRLocator.locate(in: PassInputs(image), inverted: inverted)
        return QRLocatorReport(
            finderPatterns: result.finders.map { ($0.center, $0.moduleSize, $0.count) }, binary: result.binary,
            candidates: result.candidates.flatMap { $0() }.map(\.0))
    }
}
