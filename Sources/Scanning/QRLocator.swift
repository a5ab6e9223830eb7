import Imaging

/// Finds QR symbols zbar's own locator misses (tilted, blurred, glared phone screens): finder
/// patterns, then an alignment pattern, a homography, and the code warped flat onto a clean
/// canvas with a full quiet zone.
struct QRLocator {
    /// Pixels per module in the flattened code.
    static let modulePixels = 5.0
    static let quietZone = 4

    /// Flattened candidate images, best guess first, with the mapping back to the source image.
    /// - Parameters:
    ///   - grey: the image to sample from.
    ///   - binary: a binarised copy (dark 0) at `binaryScale` times the size of `grey`.
    static func candidates(grey: GreyImage, binary: GreyImage, binaryScale: Double, limit: Int = 3) -> [(
        GreyImage, Homography
    )] {
        let patterns = FinderPatternFinder(image: binary).find()
            .sorted { $0.count > $1.count }
            .prefix(12)
            .map {
                FinderPattern(
                    center: Point(x: $0.center.x / binaryScale, y: $0.center.y / binaryScale),
                    moduleSize: $0.moduleSize / binaryScale, count: $0.count)
            }
        var results: [(GreyImage, Homography)] = []
        for triple in bestTriples(Array(patterns)).prefix(limit) {
            results += flatten(grey: grey, binary: binary, binaryScale: binaryScale, triple: triple)
        }
        return results
    }

    /// Ordered (top-left, top-right, bottom-left) triples, most QR-like first.
    static func bestTriples(_ patterns: [FinderPattern]) -> [(FinderPattern, FinderPattern, FinderPattern)] {
        var scored: [(Double, (FinderPattern, FinderPattern, FinderPattern))] = []
        let n = patterns.count
        guard n >= 3 else { return [] }
        for i in 0..<(n - 2) {
            for j in (i + 1)..<(n - 1) {
                for k in (j + 1)..<n {
                    let t = [patterns[i], patterns[j], patterns[k]]
                    let sizes = t.map(\.moduleSize)
                    guard sizes.max()! <= 1.6 * sizes.min()! else { continue }
                    // The corner opposite the longest side is the top-left.
                    let d = [
                        dist(t[1].center, t[2].center), dist(t[0].center, t[2].center), dist(t[0].center, t[1].center),
                    ]
                    let corner = d.firstIndex(of: d.max()!)!
                    let a = t[corner], b = t[(corner + 1) % 3], c = t[(corner + 2) % 3]
                    let legB = dist(a.center, b.center), legC = dist(a.center, c.center), hyp = d.max()!
                    let module = sizes.reduce(0, +) / 3
                    guard min(legB, legC) >= 10 * module, max(legB, legC) <= 1.8 * min(legB, legC) else { continue }
                    let expected = (legB * legB + legC * legC).squareRoot()
                    let skew = abs(hyp - expected) / expected
                    guard skew < 0.25 else { continue }
                    // Order so that top-right follows top-left clockwise (in image coordinates, y down).
                    let cross =
                        (b.center.x - a.center.x) * (c.center.y - a.center.y) - (b.center.y - a.center.y)
                        * (c.center.x - a.center.x)
                    let (tr, bl) = cross > 0 ? (b, c) : (c, b)
                    let score =
                        skew + abs(legB - legC) / max(legB, legC) + (sizes.max()! - sizes.min()!) / module - 0.02
                        * Double(min(a.count, b.count, c.count))
                    scored.append((score, (a, tr, bl)))
                }
            }
        }
        return scored.sorted { $0.0 < $1.0 }.map(\.1)
    }

    static func dist(_ a: Point, _ b: Point) -> Double {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }

    /// Warps the code outlined by `triple` flat, for the estimated module count and its neighbours.
    static func flatten(
        grey: GreyImage, binary: GreyImage, binaryScale: Double, triple: (FinderPattern, FinderPattern, FinderPattern)
    )
        -> [(GreyImage, Homography)]
    {
        let (tl, tr, bl) = triple
        let module = (tl.moduleSize + tr.moduleSize + bl.moduleSize) / 3
        let estimate = ((dist(tl.center, tr.center) + dist(tl.center, bl.center)) / 2) / module + 7
        // Versions have 17 + 4v modules: round to the nearest, then try one version either side.
        let version = max(1, min(40, Int(((estimate - 17) / 4).rounded())))
        var out: [(GreyImage, Homography)] = []
        for v in [version, version + 1, version - 1] where (1...40).contains(v) {
            let dim = Double(17 + 4 * v)
            var source = [Point(x: 3.5, y: 3.5), Point(x: dim - 3.5, y: 3.5), Point(x: 3.5, y: dim - 3.5)]
            var target = [tl.center, tr.center, bl.center]
            // Bottom-right: the alignment pattern where there is one, else the parallelogram's corner.
            let guessBR = Point(x: tr.center.x + bl.center.x - tl.center.x, y: tr.center.y + bl.center.y - tl.center.y)
            if v >= 2,
                let affine = Homography(from: source + [Point(x: dim - 3.5, y: dim - 3.5)], to: target + [guessBR])
            {
                let expected = affine.apply(Point(x: dim - 6.5, y: dim - 6.5))
                let found = AlignmentFinder.find(
                    in: binary, near: Point(x: expected.x * binaryScale, y: expected.y * binaryScale),
                    moduleSize: module * binaryScale)
                source.append(Point(x: dim - 6.5, y: dim - 6.5))
                target.append(found.map { Point(x: $0.x / binaryScale, y: $0.y / binaryScale) } ?? expected)
            } else {
                source.append(Point(x: dim - 3.5, y: dim - 3.5))
                target.append(guessBR)
            }
            guard let toImage = Homography(from: source, to: target) else { continue }
            out.append(render(grey: grey, toImage: toImage, dim: Int(dim)))
        }
        return out
    }

    /// Samples the code into a canvas of `dim` modules plus the quiet zone, outside the code white.
    static func render(grey: GreyImage, toImage: Homography, dim: Int) -> (GreyImage, Homography) {
        let p = modulePixels, q = Double(quietZone)
        let side = Int((Double(dim) + 2 * q) * p)
        // Canvas pixel -> module coordinates -> image.
        let canvasToModule = Homography(matrix: [1 / p, 0, -q, 0, 1 / p, -q, 0, 0, 1])
        let combined = toImage.composed(with: canvasToModule)
        let warped = grey.warped(by: combined, width: side, height: side, fill: 255)
        // Threshold against the local mean (glare and shading vary across a tilted screen), then
        // blank the quiet zone.
        var flat = warped.adaptiveBinarized(block: Int(7 * p) | 1, offset: 3)
        let inner = Int(q * p)
        flat.pixels.withUnsafeMutableBufferPointer { px in
            for y in 0..<side {
                for x in 0..<side where x < inner || y < inner || x >= side - inner || y >= side - inner {
                    px[y * side + x] = 255
                }
            }
        }
        return (flat, combined)
    }
}

extension Homography {
    /// `self` after `first`: maps p to self.apply(first.apply(p)).
    func composed(with first: Homography) -> Homography {
        let a = m, b = first.m
        var r = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { r[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j] } } }
        return Homography(matrix: r.map { $0 / r[8] })
    }
}

/// Finds a QR alignment pattern (a dark module in a light ring in a dark ring) near where it should be.
enum AlignmentFinder {
    static func find(in image: GreyImage, near guess: Point, moduleSize: Double) -> Point? {
        let radius = Int(max(4, moduleSize * 5))
        let cx = Int(guess.x), cy = Int(guess.y)
        let x0 = max(0, cx - radius), x1 = min(image.width - 1, cx + radius)
        let y0 = max(0, cy - radius), y1 = min(image.height - 1, cy + radius)
        guard x1 > x0 + 3, y1 > y0 + 3 else { return nil }
        var best: (Double, Point)? = nil
        for y in y0...y1 {
            // Runs light, dark, light with the dark about one module: candidate centre.
            var x = x0
            while x <= x1 {
                guard image[x, y] < 128 else { x += 1; continue }
                let start = x
                while x <= x1, image[x, y] < 128 { x += 1 }
                let run = Double(x - start)
                guard abs(run - moduleSize) <= moduleSize * 0.7, start > x0, x <= x1 else { continue }
                let left = runLength(image, x: start - 1, y: y, dx: -1, dark: false, limit: Int(moduleSize * 2) + 1)
                let right = runLength(image, x: x, y: y, dx: 1, dark: false, limit: Int(moduleSize * 2) + 1)
                guard abs(Double(left) - moduleSize) <= moduleSize * 0.7,
                    abs(Double(right) - moduleSize) <= moduleSize * 0.7
                else { continue }
                let centerX = Double(start) + run / 2
                // The same pattern down the column.
                let col = Int(centerX)
                var up = y, down = y
                while up > y0, image[col, up - 1] < 128 { up -= 1 }
                while down < y1, image[col, down + 1] < 128 { down += 1 }
                let vrun = Double(down - up + 1)
                guard abs(vrun - moduleSize) <= moduleSize * 0.7 else { continue }
                let above = runLength(image, x: col, y: up - 1, dy: -1, dark: false, limit: Int(moduleSize * 2) + 1)
                let below = runLength(image, x: col, y: down + 1, dy: 1, dark: false, limit: Int(moduleSize * 2) + 1)
                guard abs(Double(above) - moduleSize) <= moduleSize * 0.7,
                    abs(Double(below) - moduleSize) <= moduleSize * 0.7
                else { continue }
                let center = Point(x: centerX, y: Double(up) + vrun / 2)
                let d = QRLocator.dist(center, guess)
                if best == nil || d < best!.0 { best = (d, center) }
            }
        }
        return best?.1
    }

    private static func runLength(_ image: GreyImage, x: Int, y: Int, dx: Int = 0, dy: Int = 0, dark: Bool, limit: Int)
        -> Int
    {
        var n = 0, cx = x, cy = y
        while cx >= 0, cy >= 0, cx < image.width, cy < image.height, (image[cx, cy] < 128) == dark, n < limit {
            n += 1
            cx += dx
            cy += dy
        }
        return n
    }
}
