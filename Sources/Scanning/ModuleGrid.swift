/// The shade of every module of a QR grid (row by row), and ways to call each module dark or light.
struct ModuleGrid {
    var values: [Double]
    var dim: Int

    /// Dark where a module is darker than the mean of the (2r+1)^2 modules around it.
    func darkAgainstMean(radius: Int) -> [Bool] {
        var dark = [Bool](repeating: false, count: dim * dim)
        for j in 0..<dim {
            for i in 0..<dim {
                var sum = 0.0, n = 0.0
                for y in max(0, j - radius)...min(dim - 1, j + radius) {
                    for x in max(0, i - radius)...min(dim - 1, i + radius) {
                        sum += values[y * dim + x]
                        n += 1
                    }
                }
                dark[j * dim + i] = values[j * dim + i] < sum / n
            }
        }
        return dark
    }

    /// Dark where a module is below the middle of the darkest and lightest modules around it.
    /// Where the neighbourhood has little contrast (all light, or all dark), the middle of the
    /// whole grid decides instead, so flat areas do not turn into noise.
    func darkAgainstMidrange(radius: Int, minContrast: Double = 0.1) -> [Bool] {
        let lowest = values.min() ?? 0, highest = values.max() ?? 255
        let global = (lowest + highest) / 2, floor = minContrast * (highest - lowest)
        var dark = [Bool](repeating: false, count: dim * dim)
        for j in 0..<dim {
            for i in 0..<dim {
                var low = Double.infinity, high = -Double.infinity
                for y in max(0, j - radius)...min(dim - 1, j + radius) {
                    for x in max(0, i - radius)...min(dim - 1, i + radius) {
                        low = min(low, values[y * dim + x])
                        high = max(high, values[y * dim + x])
                    }
                }
                let threshold = high - low >= floor ? (low + high) / 2 : global
                dark[j * dim + i] = values[j * dim + i] < threshold
            }
        }
        return dark
    }
}
