extension GreyImage {
    /// The 256-bin histogram of the pixels.
    public func histogram() -> [Int] {
        var bins = [Int](repeating: 0, count: 256)
        pixels.withUnsafeBufferPointer { src in
            bins.withUnsafeMutableBufferPointer { h in
                for p in src { h[Int(p)] += 1 }
            }
        }
        return bins
    }

    /// Otsu's global threshold: the grey level that best separates dark from light pixels.
    public func otsuThreshold() -> UInt8 {
        let hist = histogram()
        let total = pixels.count
        guard total > 0 else { return 128 }
        var sumAll = 0.0
        for i in 0..<256 { sumAll += Double(i * hist[i]) }
        var sumBack = 0.0, weightBack = 0, best = 0.0, threshold = 0
        for t in 0..<256 {
            weightBack += hist[t]
            if weightBack == 0 { continue }
            let weightFore = total - weightBack
            if weightFore == 0 { break }
            sumBack += Double(t * hist[t])
            let meanBack = sumBack / Double(weightBack)
            let meanFore = (sumAll - sumBack) / Double(weightFore)
            let between = Double(weightBack) * Double(weightFore) * (meanBack - meanFore) * (meanBack - meanFore)
            if between > best {
                best = between
                threshold = t
            }
        }
        return UInt8(threshold)
    }

    /// Black where a pixel is at or below `threshold`, white elsewhere.
    public func binarized(threshold: UInt8) -> GreyImage {
        mapped { $0 <= threshold ? 0 : 255 }
    }

    /// Binarised at Otsu's threshold.
    public func otsuBinarized() -> GreyImage { binarized(threshold: otsuThreshold()) }

    /// Adaptive mean threshold: a pixel is black when darker than the mean of the `block` x `block`
    /// square around it minus `offset`. Copes with uneven light (glare, vignetting, shadows) where
    /// one global threshold fails.
    public func adaptiveBinarized(block: Int, offset: Int = 5) -> GreyImage {
        let radius = max(1, block / 2)
        let integral = IntegralImage(self)
        var out = [UInt8](repeating: 0, count: width * height)
        let w = width, h = height, stride = w + 1
        // Columns whose window lies wholly inside the image share one pixel count per row, so
        // the inner loop needs no clamping.
        let lo = min(w, radius), inner = lo..<max(lo, w - radius - 1)
        pixels.withUnsafeBufferPointer { src in
            integral.sums.withUnsafeBufferPointer { sums in
                out.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<h {
                        let y0 = max(0, y - radius), y1 = min(h, y + radius + 1)
                        let top = y0 * stride, bottom = y1 * stride, row = y * w
                        func threshold(_ x: Int, _ x0: Int, _ x1: Int) {
                            let count = (x1 - x0) * (y1 - y0)
                            let sum = sums[bottom + x1] - sums[top + x1] - sums[bottom + x0] + sums[top + x0]
                            // p * count <= sum - offset * count, without a division per pixel.
                            dst[row + x] = Int(src[row + x]) * count <= sum - offset * count ? 0 : 255
                        }
                        for x in 0..<lo {
                            threshold(x, max(0, x - radius), min(w, x + radius + 1))
                        }
                        let count = (2 * radius + 1) * (y1 - y0), bias = offset * count
                        for x in inner {
                            let x0 = x - radius, x1 = x + radius + 1
                            let sum = sums[bottom + x1] - sums[top + x1] - sums[bottom + x0] + sums[top + x0]
                            dst[row + x] = Int(src[row + x]) * count <= sum - bias ? 0 : 255
                        }
                        for x in inner.upperBound..<w {
                            threshold(x, max(0, x - radius), min(w, x + radius + 1))
                        }
                    }
                }
            }
        }
        return GreyImage(width: width, height: height, pixels: out)
    }

    /// Applies a per-level lookup table.
    public func mapped(_ transform: (UInt8) -> UInt8) -> GreyImage {
        var table = [UInt8](repeating: 0, count: 256)
        for i in 0..<256 { table[i] = transform(UInt8(i)) }
        return mapped(table: table)
    }

    /// Applies a 256-entry lookup table.
    public func mapped(table: [UInt8]) -> GreyImage {
        precondition(table.count == 256)
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            table.withUnsafeBufferPointer { t in
                out.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<src.count { dst[i] = t[Int(src[i])] }
                }
            }
        }
        return GreyImage(width: width, height: height, pixels: out)
    }

    /// Light for dark: a dark-mode screen's light-on-dark code becomes dark-on-light.
    public func inverted() -> GreyImage { mapped { 255 - $0 } }

    /// Gamma correction, `out = 255 * (in / 255) ^ gamma`; gamma > 1 darkens the mid-tones.
    public func gammaCorrected(_ gamma: Double) -> GreyImage {
        mapped { level in
            var x = 1.0
            let base = Double(level) / 255
            // Integer powers are enough here and avoid Foundation's pow.
            var g = gamma
            while g >= 1 { x *= base; g -= 1 }
            if g > 0 { x *= base.squareRoot() }
            return UInt8(clamping: Int((255 * x).rounded()))
        }
    }

    /// Linear stretch that maps the `clip` fraction darkest pixels to 0 and lightest to 255.
    public func contrastStretched(clip: Double = 0.01) -> GreyImage {
        let hist = histogram()
        let limit = Int(Double(pixels.count) * clip)
        var low = 0, high = 255, seen = 0
        while low < 255 { seen += hist[low]; if seen > limit { break }; low += 1 }
        seen = 0
        while high > 0 { seen += hist[high]; if seen > limit { break }; high -= 1 }
        guard high > low else { return self }
        return mapped { UInt8(clamping: (Int($0) - low) * 255 / (high - low)) }
    }
}
