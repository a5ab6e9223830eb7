import Imaging

/// A QR module grid placed on an image by four point pairs (module coordinates to image
/// coordinates), scored by how cleanly its modules land on the binarised image.
struct GridFit {
    let binary: GreyImage
    /// Image coordinates to `binary`'s coordinates.
    let toBinary: Homography
    let dim: Int
    let source: [Point]
    private(set) var target: [Point]
    private(set) var homography: Homography
    private(set) var score: Double

    init?(binary: GreyImage, toBinary: Homography, dim: Int, source: [Point], target: [Point]) {
        self.binary = binary
        self.toBinary = toBinary
        self.dim = dim
        self.source = source
        self.target = target
        guard let h = Homography(from: source, to: target) else { return nil }
        homography = h
        score = QRLocator.gridScore(binary, toBinary.composed(with: h), dim: dim)
    }

    /// Moves one target point to the neighbouring position that scores best, step by step
    /// (eight directions, at most four moves per step size), while the score improves.
    mutating func climb(point index: Int, steps: [Double], maxRounds: Int = 4) {
        for step in steps {
            var improved = true
            var rounds = 0
            while improved && rounds < maxRounds {
                improved = false
                rounds += 1
                let from = target[index]
                for (dx, dy) in [(-1.0, 0.0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1)] {
                    var trial = target
                    trial[index] = Point(x: from.x + dx * step, y: from.y + dy * step)
                    guard let h = Homography(from: source, to: trial) else { continue }
                    let s = QRLocator.gridScore(binary, toBinary.composed(with: h), dim: dim)
                    if s > score {
                        score = s
                        homography = h
                        target = trial
                        improved = true
                    }
                }
            }
        }
    }
}
