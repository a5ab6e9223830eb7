/// The shade of every module of a QR grid (row by row), and a way to call each module dark or light.
struct ModuleGrid {
    var values: [Double]
    var dim: Int

    /// Dark where a module is darker than the mean of the (2r+1)^2 modules around it (fewer at
    /// the edges), from a summed-area table so each module costs the same whatever the radius.
    func darkAgainstMean(radius: Int) -> [Bool] { decided(radius: radius).dark }

    /// The decisions of ``darkAgainstMean(radius:)`` and how reliable each is: the distance of
    /// the module's shade from its local mean, in units of the symbol's contrast (the spread
    /// between its 5th and 95th percentile shades). Glare, which saturates modules dark and
    /// light alike, and blur leave it near 0.
    func decided(radius: Int) -> (dark: [Bool], reliability: [Double]) {
        let (dark, reliability, _) = decidedWithUniformity(radius: radius)
        return (dark, reliability)
    }

    /// As ``decided(radius:)``, with a second reliability that is also small where the 3x3
    /// modules around are all one shade: glare saturates a patch of modules, dark and light
    /// alike, to white, which the first measure takes for confidently light modules.
    func decidedWithUniformity(radius: Int) -> (dark: [Bool], reliability: [Double], uniformity: [Double]) {
        let sorted = values.sorted()
        let contrast = max(1, sorted[sorted.count * 95 / 100] - sorted[sorted.count * 5 / 100])
        let side = dim + 1
        var sums = [Double](repeating: 0, count: side * side)
        for j in 0..<dim {
            var row = 0.0
            for i in 0..<dim {
                row += values[j * dim + i]
                sums[(j + 1) * side + i + 1] = sums[j * side + i + 1] + row
            }
        }
        var dark = [Bool](repeating: false, count: dim * dim)
        var reliability = [Double](repeating: 0, count: dim * dim)
        var uniformity = [Double](repeating: 0, count: dim * dim)
        for j in 0..<dim {
            let y0 = max(0, j - radius), y1 = min(dim, j + radius + 1)
            for i in 0..<dim {
                let x0 = max(0, i - radius), x1 = min(dim, i + radius + 1)
                let sum = sums[y1 * side + x1] - sums[y0 * side + x1] - sums[y1 * side + x0] + sums[y0 * side + x0]
                let mean = sum / Double((y1 - y0) * (x1 - x0))
                dark[j * dim + i] = values[j * dim + i] < mean
                reliability[j * dim + i] = abs(values[j * dim + i] - mean) / contrast
                var low = Double.infinity, high = -Double.infinity
                for y in max(0, j - 1)...min(dim - 1, j + 1) {
                    for x in max(0, i - 1)...min(dim - 1, i + 1) {
                        low = min(low, values[y * dim + x])
                        high = max(high, values[y * dim + x])
                    }
                }
                uniformity[j * dim + i] = min(reliability[j * dim + i], (high - low) / contrast)
            }
        }
        return (dark, reliability, uniformity)
    }
}
