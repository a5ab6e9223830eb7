/// The shade of every module of a QR grid (row by row), and a way to call each module dark or light.
struct ModuleGrid {
    var values: [Double]
    var dim: Int

    /// Each module called dark or light, and how sure that call is.
    struct Decisions {
        /// Dark where a module is darker than the mean of the modules around it.
        var dark: [Bool]
        /// The module's distance from that mean, in units of the symbol's contrast (the spread
        /// between its 5th and 95th percentile shades): blur leaves it near 0.
        var reliability: [Double]
        /// The lesser of `reliability` and the spread of the 3x3 modules around, in the same
        /// units: glare saturates a patch of modules, dark and light alike, to one shade, which
        /// `reliability` takes for confidently light modules; in intact data nine modules of one
        /// colour are rare.
        var uniformity: [Double]
    }

    /// The shade below which `percent` of the modules lie, to a quarter of a grey level (a
    /// histogram, as a version-40 grid has 31,000 modules to sort).
    func percentile(_ percent: Int) -> Double {
        var bins = [Int](repeating: 0, count: 1024)
        for v in values { bins[min(1023, max(0, Int(v * 4)))] += 1 }
        let rank = values.count * percent / 100
        var seen = 0
        for (bin, count) in bins.enumerated() {
            seen += count
            if seen > rank { return Double(bin) / 4 }
        }
        return 255
    }

    /// Calls each module against the mean of the (2r+1)^2 modules around it (fewer at the edges),
    /// from a summed-area table so each module costs the same whatever the radius.
    func decide(radius: Int) -> Decisions {
        let contrast = max(1, percentile(95) - percentile(5))
        let side = dim + 1
        var sums = [Double](repeating: 0, count: side * side)
        for j in 0..<dim {
            var row = 0.0
            for i in 0..<dim {
                row += values[j * dim + i]
                sums[(j + 1) * side + i + 1] = sums[j * side + i + 1] + row
            }
        }
        var decisions = Decisions(
            dark: [Bool](repeating: false, count: dim * dim), reliability: [Double](repeating: 0, count: dim * dim),
            uniformity: [Double](repeating: 0, count: dim * dim))
        for j in 0..<dim {
            let y0 = max(0, j - radius), y1 = min(dim, j + radius + 1)
            for i in 0..<dim {
                let x0 = max(0, i - radius), x1 = min(dim, i + radius + 1)
                let sum = sums[y1 * side + x1] - sums[y0 * side + x1] - sums[y1 * side + x0] + sums[y0 * side + x0]
                let mean = sum / Double((y1 - y0) * (x1 - x0)), value = values[j * dim + i]
                var low = value, high = value
                for y in max(0, j - 1)...min(dim - 1, j + 1) {
                    for x in max(0, i - 1)...min(dim - 1, i + 1) {
                        low = min(low, values[y * dim + x])
                        high = max(high, values[y * dim + x])
                    }
                }
                let reliability = abs(value - mean) / contrast
                decisions.dark[j * dim + i] = value < mean
                decisions.reliability[j * dim + i] = reliability
                decisions.uniformity[j * dim + i] = min(reliability, (high - low) / contrast)
            }
        }
        return decisions
    }
}
