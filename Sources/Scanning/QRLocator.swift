import Imaging

/// Finds QR symbols zbar's own locator misses (tilted, blurred, glared phone screens): finder
/// patterns, then an alignment pattern, a homography, and the code warped flat onto a clean
/// canvas with a full quiet zone.
struct QRLocator {
    /// Pixels per module in the flattened code.
    static let modulePixels = 5.0
    static let quietZone = 4

    /// Everything the locator found in one image: the binarised image it searched, the finder
    /// patterns, and the flattened candidates (mapped back to the original image).
    struct Result {
        var binary: GreyImage
        var finders: [FinderPattern]
        var candidates: [() -> [(GreyImage, Homography)]]
    }

    static func locate(in inputs: PassInputs, inverted: Bool) -> Result {
        // Finder patterns need a few pixels per module: enlarge small images, halve big ones.
        let scale: Double = inputs.shortSide >= 900 ? 0.5 : inputs.shortSide < 160 ? 3 : inputs.shortSide < 400 ? 2 : 1
        // Enlarging and binarising a small image costs more than the passes before; skip it
        // when the image at its own size shows no three finder-like patterns seen on two rows.
        if scale > 1, !mayHoldSymbol(inverted ? inputs.adaptiveBinary.inverted() : inputs.adaptiveBinary) {
            return Result(binary: inputs.adaptiveBinary, finders: [], candidates: [])
        }
        var grey = scale > 1 ? inputs.original.scaled(by: scale) : inputs.original
        let small = scale < 1 ? inputs.shrunk(2) : grey
        var binary =
            scale == 1
            ? inputs.adaptiveBinary : small.adaptiveBinarized(block: max(15, min(small.width, small.height) / 8) | 1)
        if inverted {
            binary = binary.inverted()
            grey = grey.inverted()
        }
        let back = PassInputs.scale(scale > 1 ? scale : 1)
        let binaryScale = scale < 1 ? scale : 1
        let finders = FinderPatternFinder(image: binary).find()
        let candidates = candidates(grey: grey, binary: binary, binaryScale: binaryScale, finders: finders).map {
            group in
            { group().map { ($0.0, back.composed(with: $0.1)) } }
        }
        return Result(binary: binary, finders: finders, candidates: candidates)
    }

    /// Whether a binarised image shows three finder-like patterns, each on at least two rows,
    /// placed as a QR code's are, or two clear ones (glare on the third): a cheap test before the
    /// work of finding small symbols.
    static func mayHoldSymbol(_ binary: GreyImage) -> Bool {
        let patterns = FinderPatternFinder(image: binary).find().filter { $0.count >= 2 }
        let strongest = Array(patterns.sorted { $0.count > $1.count }.prefix(12))
        return !bestTriples(strongest).isEmpty || !inferredTriples(strongest).isEmpty
    }

    /// Flattened candidate images, best guess first, with the mapping back to the source image:
    /// for each grid, the sampled modules drawn crisp, the warped photo thresholded, and the
    /// sampled modules mended with the unreliable ones as erasures (``QRRepair``).
    /// - Parameters:
    ///   - grey: the image to sample from.
    ///   - binary: a binarised copy (dark 0) at `binaryScale` times the size of `grey`.
    static func candidates(
        grey: GreyImage, binary: GreyImage, binaryScale: Double, finders: [FinderPattern], limit: Int = 2
    )
        -> [() -> [(GreyImage, Homography)]]
    {
        // A real finder pattern is crossed by several rows; one seen on a single row is
        // usually a run of bars that happens to read 1:1:3:1:1.
        let patterns =
            finders
            .filter { $0.count >= 1 }
            .sorted { $0.count > $1.count }
            .prefix(12)
            .map {
                FinderPattern(
                    center: Point(x: $0.center.x / binaryScale, y: $0.center.y / binaryScale),
                    moduleSize: $0.moduleSize / binaryScale, count: $0.count)
            }
        // Each triple's grids are fitted once, when its first candidate is wanted; each
        // candidate is drawn only when the ones before it failed.
        let triples = bestTriples(Array(patterns))
        var chosen = Array(triples.prefix(limit))
        // Three clear finders (each crossed by eight rows or more) are fitted even when strong
        // perspective (one finder twice the size of another) ranks them below weaker ones.
        let clear = { (t: Triple) in min(t.0.count, t.1.count, t.2.count) >= 8 }
        if !chosen.contains(where: clear), let strong = triples.first(where: clear) { chosen.append(strong) }
        var fitters: [() -> [GridFit]] = chosen.map { triple in
            { fitGrids(binary: binary, binaryScale: binaryScale, triple: triple) }
        }
        // Two clear finder patterns and no third (glare on it, or blur joining it to the data):
        // the two guesses for the third where the image shows a finder most clearly, settled
        // once, when the candidates before them failed.
        if !triples.prefix(limit).contains(where: clear) {
            let guesses = Lazy {
                inferredTriples(Array(patterns)).compactMap { settled($0, binary: binary, binaryScale: binaryScale) }
                    .sorted { $0.score > $1.score }
            }
            for rank in 0..<2 {
                fitters.append {
                    guard guesses.value.count > rank else { return [] }
                    let guess = guesses.value[rank]
                    return fitGrids(
                        binary: binary, binaryScale: binaryScale, triple: guess.triple, guessed: guess.guessed)
                }
            }
        }
        // Strong perspective can make two sides of the best triple about equally long, and then the
        // corner opposite the longest one may be the wrong top-left: the other ordering, last.
        if let best = chosen.first(where: clear) ?? chosen.first, let other = otherOrdering(best) {
            fitters.append { fitGrids(binary: binary, binaryScale: binaryScale, triple: other) }
        }
        return fitters.flatMap { fitter in
            let fits = Lazy(fitter)
            return (0..<2).flatMap { k -> [() -> [(GreyImage, Homography)]] in
                let modules = Lazy {
                    fits.value.count > k
                        ? SampledModules(grey: grey, toImage: fits.value[k].homography, dim: fits.value[k].dim) : nil
                }
                return [
                    { modules.value.map { [sampled($0)] } ?? [] },
                    {
                        fits.value.count > k
                            ? [render(grey: grey, toImage: fits.value[k].homography, dim: fits.value[k].dim)] : []
                    },
                    { modules.value.map { repaired($0) } ?? [] },
                ]
            }
        }
    }

    /// A value computed on first use.
    final class Lazy<Value> {
        private var cached: Value?
        private let make: () -> Value
        init(_ make: @escaping () -> Value) { self.make = make }
        var value: Value {
            if let cached { return cached }
            let made = make()
            cached = made
            return made
        }
    }

    /// Three finder patterns as (top-left, top-right, bottom-left).
    typealias Triple = (FinderPattern, FinderPattern, FinderPattern)

    /// Ordered (top-left, top-right, bottom-left) triples, most QR-like first.
    static func bestTriples(_ patterns: [FinderPattern]) -> [Triple] {
        var scored: [(Double, Triple)] = []
        let n = patterns.count
        guard n >= 3 else { return [] }
        for i in 0..<(n - 2) {
            for j in (i + 1)..<(n - 1) {
                for k in (j + 1)..<n {
                    let t = [patterns[i], patterns[j], patterns[k]]
                    let sizes = t.map(\.moduleSize)
                    guard sizes.max()! <= 2.2 * sizes.min()! else { continue }
                    // The corner opposite the longest side is the top-left.
                    let d = [
                        dist(t[1].center, t[2].center), dist(t[0].center, t[2].center), dist(t[0].center, t[1].center),
                    ]
                    let corner = d.firstIndex(of: d.max()!)!
                    let a = t[corner], b = t[(corner + 1) % 3], c = t[(corner + 2) % 3]
                    let legB = dist(a.center, b.center), legC = dist(a.center, c.center), hyp = d.max()!
                    let module = sizes.reduce(0, +) / 3
                    guard min(legB, legC) >= 10 * module, max(legB, legC) <= 2.5 * min(legB, legC) else { continue }
                    let expected = (legB * legB + legC * legC).squareRoot()
                    let skew = abs(hyp - expected) / expected
                    guard skew < 0.6 else { continue }
                    let score =
                        skew + abs(legB - legC) / max(legB, legC) + (sizes.max()! - sizes.min()!) / module - 0.02
                        * Double(min(a.count, b.count, c.count))
                    scored.append((score, clockwise(topLeft: a, b, c)))
                }
            }
        }
        return scored.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The triple ordered with the corner opposite its second-longest side as the top-left, when
    /// that side is within a tenth of the longest (``bestTriples`` takes the corner opposite the
    /// longest); nil otherwise.
    static func otherOrdering(
        _ triple: Triple
    ) -> Triple? {
        let (tl, tr, bl) = triple
        // The longest side is tr-bl; the next longest is opposite tr or bl.
        let (fromTR, fromBL, longest) = (
            dist(tl.center, bl.center), dist(tl.center, tr.center), dist(tr.center, bl.center)
        )
        guard max(fromTR, fromBL) >= 0.9 * longest else { return nil }
        return fromTR >= fromBL ? clockwise(topLeft: tr, tl, bl) : clockwise(topLeft: bl, tl, tr)
    }

    /// (top-left, top-right, bottom-left), `topLeft` given: the top-right follows it clockwise (in
    /// image coordinates, y down).
    static func clockwise(topLeft a: FinderPattern, _ b: FinderPattern, _ c: FinderPattern) -> Triple {
        let cross =
            (b.center.x - a.center.x) * (c.center.y - a.center.y) - (b.center.y - a.center.y)
            * (c.center.x - a.center.x)
        return cross > 0 ? (a, b, c) : (a, c, b)
    }

    /// Three finder patterns, one of them guessed from the other two.
    struct GuessedTriple {
        /// (top-left, top-right, bottom-left).
        var triple: Triple
        /// Which of the three is the guess.
        var guessed: Int
        /// How many of the 81 modules around the guess look like a finder (0 before settling).
        var score = 0
    }

    /// The six places a third finder pattern may be, given two clear ones of about the same size
    /// far enough apart: beside either of them on either side (they share an edge of the code),
    /// or across the diagonal from each other. Ordered (top-left, top-right, bottom-left), with
    /// the index of the guessed one.
    static func inferredTriples(_ patterns: [FinderPattern]) -> [GuessedTriple] {
        let strong = patterns.filter { $0.count >= 8 }.sorted { $0.count > $1.count }
        guard strong.count >= 2 else { return [] }
        let a = strong[0], b = strong[1]
        let module = (a.moduleSize + b.moduleSize) / 2
        guard max(a.moduleSize, b.moduleSize) <= 1.6 * min(a.moduleSize, b.moduleSize),
            dist(a.center, b.center) >= 12 * module
        else { return [] }
        let d = Point(x: b.center.x - a.center.x, y: b.center.y - a.center.y)
        let perpendicular = Point(x: -d.y, y: d.x)
        func at(_ p: Point) -> FinderPattern { FinderPattern(center: p, moduleSize: module, count: 0) }
        var guesses: [FinderPattern] = []
        for sign in [1.0, -1.0] {
            // Beside a or beside b, the shared edge a-b.
            guesses.append(at(Point(x: a.center.x + sign * perpendicular.x, y: a.center.y + sign * perpendicular.y)))
            guesses.append(at(Point(x: b.center.x + sign * perpendicular.x, y: b.center.y + sign * perpendicular.y)))
            // Across the diagonal a-b.
            let mid = Point(x: (a.center.x + b.center.x) / 2, y: (a.center.y + b.center.y) / 2)
            guesses.append(at(Point(x: mid.x + sign * perpendicular.x / 2, y: mid.y + sign * perpendicular.y / 2)))
        }
        return guesses.compactMap { guess in
            // The same ordering as bestTriples: the corner opposite the longest side is the top-left.
            let t = [a, b, guess]
            let sides = [dist(b.center, guess.center), dist(a.center, guess.center), dist(a.center, b.center)]
            let corner = sides.firstIndex(of: sides.max()!)!
            let ordered = clockwise(topLeft: t[corner], t[(corner + 1) % 3], t[(corner + 2) % 3])
            let index = [ordered.0, ordered.1, ordered.2].firstIndex { $0.count == 0 }
            return index.map { GuessedTriple(triple: ordered, guessed: $0) }
        }
    }

    /// The guessed finder moved to where the image shows one best: the 9x9 modules of a finder
    /// and its light border, laid out along the code's axes as the two found finders give them,
    /// matched against the binarised image at every quarter module within three modules.
    static func settled(_ guess: GuessedTriple, binary: GreyImage, binaryScale: Double) -> GuessedTriple? {
        var t = [guess.triple.0, guess.triple.1, guess.triple.2]
        let module = t[(guess.guessed + 1) % 3].moduleSize
        func axis(_ from: Point, _ to: Point) -> Point {
            let length = dist(from, to)
            return Point(x: (to.x - from.x) / length * module, y: (to.y - from.y) / length * module)
        }
        let u = axis(t[0].center, t[1].center), v = axis(t[0].center, t[2].center)
        func matches(_ c: Point) -> Int {
            var score = 0
            for j in -4...4 {
                for i in -4...4 {
                    let x = Int(((c.x + Double(i) * u.x + Double(j) * v.x) * binaryScale).rounded())
                    let y = Int(((c.y + Double(i) * u.y + Double(j) * v.y) * binaryScale).rounded())
                    guard x >= 0, y >= 0, x < binary.width, y < binary.height else { continue }
                    let ring = max(abs(i), abs(j))
                    if (binary[x, y] < 128) == (ring == 3 || ring <= 1) { score += 1 }
                }
            }
            return score
        }
        let start = t[guess.guessed].center
        var best = (score: -1, center: start)
        for dj in -12...12 {
            for di in -12...12 {
                let c = Point(
                    x: start.x + Double(di) / 4 * module, y: start.y + Double(dj) / 4 * module)
                let score = matches(c)
                if score > best.score { best = (score, c) }
            }
        }
        // Most of the 81 modules must agree (a finder under tilt and blur matches 60 or so), or
        // no finder is there.
        guard best.score >= 58 else { return nil }
        t[guess.guessed].center = best.center
        return GuessedTriple(triple: (t[0], t[1], t[2]), guessed: guess.guessed, score: best.score)
    }

    static func dist(_ a: Point, _ b: Point) -> Double {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }

    /// Fits module grids to the code outlined by `triple`. The module count is estimated from the
    /// finder distances; for it and the versions around it, the fourth point (each alignment
    /// pattern found near where it should be, and the affine guess) is refined by a coarse
    /// search that maximises how cleanly the grid lands on the binarised image (see
    /// ``GridFit``). The best two grids are refined finely and returned, best first, unless they
    /// leave the image or are big symbols that do not look like one.
    static func fitGrids(
        binary: GreyImage, binaryScale: Double, triple: Triple,
        guessed: Int? = nil
    ) -> [GridFit] {
        let (tl, tr, bl) = triple
        let module = (tl.moduleSize + tr.moduleSize + bl.moduleSize) / 3
        let estimate = ((dist(tl.center, tr.center) + dist(tl.center, bl.center)) / 2) / module + 7
        let version = max(1, min(40, Int(((estimate - 17) / 4).rounded())))
        let guessBR = Point(x: tr.center.x + bl.center.x - tl.center.x, y: tr.center.y + bl.center.y - tl.center.y)
        let toBinary = Homography(scale: binaryScale)
        var fits: [GridFit] = []
        for v in (version - 2)...(version + 1) where (1...40).contains(v) {
            let dim = Double(17 + 4 * v)
            let source = [Point(x: 3.5, y: 3.5), Point(x: dim - 3.5, y: 3.5), Point(x: 3.5, y: dim - 3.5)]
            let target = [tl.center, tr.center, bl.center]
            var anchor = Point(x: dim - 3.5, y: dim - 3.5)
            var starts = [guessBR]
            if v >= 2, let affine = Homography(from: source + [anchor], to: target + [guessBR]) {
                // The alignment pattern, 6.5 modules in from the bottom-right corner, pins perspective.
                // Under strong tilt the affine guess is far off and the finder may latch onto other
                // structure, so the climb starts from both.
                let expected = affine.apply(Point(x: dim - 6.5, y: dim - 6.5))
                let localModule = dist(tl.center, tr.center) / (dim - 7)
                anchor = Point(x: dim - 6.5, y: dim - 6.5)
                starts =
                    AlignmentFinder.find(
                        in: binary, near: toBinary.apply(expected), moduleSize: localModule * binaryScale
                    ).map { Point(x: $0.x / binaryScale, y: $0.y / binaryScale) } + [expected]
            }
            // Hill-climb the fourth point on a coarse sample of the grid: steps of two modules, then one.
            for start in starts {
                guard
                    var fit = GridFit(
                        binary: binary, toBinary: toBinary, dim: Int(dim), source: source + [anchor],
                        target: target + [start], across: 10)
                else { continue }
                fit.climb(point: 3, steps: [2 * module], maxRounds: 10)
                if let guessed {
                    // A guessed finder is only roughly where the two found ones put it.
                    fit.climb(point: guessed, steps: [module / 2, module / 4], maxRounds: 3)
                }
                fit.climb(point: 3, steps: [module])
                fits.append(fit)
            }
        }
        // The best two grids, finely: the fourth point to a third of a module, then every corner
        // nudged in turn, as the finder centres are only estimates (tilt makes the near modules
        // bigger than the far ones).
        let best = fits.sorted { $0.score > $1.score }.prefix(2).map { fit in
            var fit = fit
            fit.sample(across: 16)
            fit.climb(point: 3, steps: [module / 3])
            for point in 0..<4 { fit.climb(point: point, steps: [module / 3], maxRounds: 2) }
            return fit
        }
        // A grid that leaves the image is no code; a big symbol costs more to render and scan
        // than the photo it came from, so it must look like one first.
        return best.filter { $0.score > 0 && ($0.dim <= 100 || $0.score >= 0.5) }
    }
}
