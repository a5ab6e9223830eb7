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
    /// How many modules a side the score samples: a coarse search takes fewer.
    private(set) var across: Int

    init?(binary: GreyImage, toBinary: Homography, dim: Int, source: [Point], target: [Point], across: Int = 30) {
        self.binary = binary
        self.toBinary = toBinary
        self.dim = dim
        self.source = source
        self.target = target
        guard let h = Homography(from: source, to: target) else { return nil }
        homography = h
        self.across = across
        score = GridFit.gridScore(binary, toBinary.composed(with: h), dim: dim, across: across)
    }

    /// Scores the grid at `across` modules a side from now on.
    mutating func sample(across: Int) {
        self.across = across
        score = GridFit.gridScore(binary, toBinary.composed(with: homography), dim: dim, across: across)
    }

    /// Moves one target point to the neighbouring position that scores best, step by step
    /// (eight directions, at most four moves per step size), while the score improves.
    ///
    /// A position already tried at this step size is not scored again: it scored no better than
    /// the grid did then, and the score only rises, so it cannot win now. After a move, five of
    /// the eight neighbours (three after a diagonal move) were tried from the last position.
    mutating func climb(point index: Int, steps: [Double], maxRounds: Int = 4) {
        for step in steps {
            var improved = true
            var rounds = 0
            // Positions in steps from where this step size started.
            var at = SIMD2(0, 0)
            var tried: Set<SIMD2<Int>> = [at]
            while improved && rounds < maxRounds {
                improved = false
                rounds += 1
                let from = target[index], origin = at
                for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1)] {
                    let position = origin &+ SIMD2(dx, dy)
                    guard tried.insert(position).inserted else { continue }
                    var trial = target
                    trial[index] = Point(x: from.x + Double(dx) * step, y: from.y + Double(dy) * step)
                    guard let h = Homography(from: source, to: trial) else { continue }
                    let s = GridFit.gridScore(binary, toBinary.composed(with: h), dim: dim, across: across)
                    if s > score {
                        score = s
                        homography = h
                        target = trial
                        at = position
                        improved = true
                    }
                }
            }
        }
    }

    /// The share of sampled modules whose five sub-samples (centre and four near the corners),
    /// taken through `h` (module to `binary` pixels), all have the same shade, times the square of
    /// the share of timing-pattern modules with the right shade: near 1 when the grid sits on the
    /// code, lower when it straddles edges. A grid on a blank area is "clean" everywhere; the
    /// timing patterns keep it on the code. Zero when the grid leaves the image.
    /// - Parameter across: large symbols are sampled on a sparse grid of about this many modules
    ///   a side; the timing patterns are always read whole.
    static func gridScore(_ binary: GreyImage, _ h: Homography, dim: Int, across: Int = 30) -> Double {
        let stride = dim > across + 3 ? max(2, dim / across) : 1
        let m = h.m
        let (m0, m1, m2, m3, m4, m5, m6, m7, m8) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
        let w = binary.width, hgt = binary.height
        return binary.pixels.withUnsafeBufferPointer { px -> Double in
            // How many of the module's five taps are dark, or nil when one falls outside.
            func darkTaps(_ i: Int, _ j: Int) -> Int? {
                var count = 0
                for (ox, oy) in [(0.5, 0.5), (0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.8, 0.8)] {
                    let x = Double(i) + ox, y = Double(j) + oy
                    let r = 1 / (m6 * x + m7 * y + m8)
                    let fx = (m0 * x + m1 * y + m2) * r, fy = (m3 * x + m4 * y + m5) * r
                    guard fx >= 0, fy >= 0, fx < Double(w), fy < Double(hgt) else { return nil }
                    if px[Int(fy) * w + Int(fx)] < 128 { count += 1 }
                }
                return count
            }
            var clean = 0, counted = 0
            for j in Swift.stride(from: 0, to: dim, by: stride) {
                for i in Swift.stride(from: 0, to: dim, by: stride) {
                    guard let dark = darkTaps(i, j) else { return 0 }
                    counted += 1
                    if dark == 0 || dark == 5 { clean += 1 }
                }
            }
            // Timing patterns: row and column 6 between the finders alternate, dark at even positions.
            var timingRight = 0, timingTotal = 0
            // Any subset of the timing modules will do, as each one's shade is known.
            for k in Swift.stride(from: 8, to: dim - 8, by: stride >= 4 ? stride / 2 : 1) {
                for (i, j) in [(k, 6), (6, k)] {
                    guard let dark = darkTaps(i, j) else { return 0 }
                    timingTotal += 1
                    if (dark >= 3) == ((i + j) % 2 == 0) { timingRight += 1 }
                }
            }
            guard timingTotal > 0, counted > 0 else { return 0 }
            let timing = Double(timingRight) / Double(timingTotal)
            return Double(clean) / Double(counted) * timing * timing
        }
    }
}
