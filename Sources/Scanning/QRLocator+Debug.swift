import Imaging

/// What the QR locator saw in an image, for the benchmark's `inspect` command.
public struct QRLocatorReport: Sendable {
    public var finderPatterns: [(center: Point, moduleSize: Double, count: Int)]
    public var binary: GreyImage
    public var candidates: [GreyImage]
    /// Where each candidate's corners lie in the image (top-left, top-right, bottom-right, bottom-left).
    public var corners: [[Point]]
}

extension DecodePipeline {
    /// Runs the QR locator on `image` and returns what each step produced.
    public static func inspectLocator(_ image: GreyImage, inverted: Bool = false) -> QRLocatorReport {
        let result = QRLocator.locate(in: PassInputs(image), inverted: inverted)
        let candidates = result.candidates.flatMap { $0() }
        return QRLocatorReport(
            finderPatterns: result.finders.map { ($0.center, $0.moduleSize, $0.count) }, binary: result.binary,
            candidates: candidates.map(\.0),
            corners: candidates.map { image, h in
                let w = Double(image.width), ht = Double(image.height)
                return [Point(x: 0, y: 0), Point(x: w, y: 0), Point(x: w, y: ht), Point(x: 0, y: ht)].map(h.apply)
            })
    }
}
