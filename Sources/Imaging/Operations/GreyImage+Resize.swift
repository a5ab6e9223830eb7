extension GreyImage {
    /// Shrinks by an integer factor, each output pixel the mean of a `factor` x `factor` block
    /// (area resampling: no aliasing, so screen moiré averages out).
    public func downscaled(by factor: Int) -> GreyImage {
        precondition(factor >= 1)
        if factor == 1 { return self }
        let ow = max(1, width / factor), oh = max(1, height / factor)
        var out = [UInt8](repeating: 0, count: ow * oh)
        let w = width
        var sums = [UInt32](repeating: 0, count: ow)
        let area = UInt32(factor * factor)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                sums.withUnsafeMutableBufferPointer { acc in
                    for oy in 0..<oh {
                        for i in 0..<ow { acc[i] = 0 }
                        for dy in 0..<factor {
                            let row = (oy * factor + dy) * w
                            for ox in 0..<ow {
                                var s: UInt32 = 0
                                let base = row + ox * factor
                                for dx in 0..<factor { s &+= UInt32(src[base + dx]) }
                                acc[ox] &+= s
                            }
                        }
                        for ox in 0..<ow { dst[oy * ow + ox] = UInt8((acc[ox] + area / 2) / area) }
                    }
                }
            }
        }
        return GreyImage(width: ow, height: oh, pixels: out)
    }

    /// Resizes to any size by area averaging (for shrinking by a non-integer factor).
    public func resizedArea(width ow: Int, height oh: Int) -> GreyImage {
        precondition(ow > 0 && oh > 0)
        if ow > width || oh > height { return resizedCubic(width: ow, height: oh) }
        // Integral image: each output pixel is a box sum over fractional source bounds, taken at whole pixels.
        let integral = IntegralImage(self)
        var out = [UInt8](repeating: 0, count: ow * oh)
        let sx = Double(width) / Double(ow), sy = Double(height) / Double(oh)
        out.withUnsafeMutableBufferPointer { dst in
            for oy in 0..<oh {
                let y0 = Int((Double(oy) * sy).rounded()),
                    y1 = max(y0 + 1, min(height, Int((Double(oy + 1) * sy).rounded())))
                for ox in 0..<ow {
                    let x0 = Int((Double(ox) * sx).rounded()),
                        x1 = max(x0 + 1, min(width, Int((Double(ox + 1) * sx).rounded())))
                    let count = (x1 - x0) * (y1 - y0)
                    dst[oy * ow + ox] = UInt8((integral.sum(x0, y0, x1, y1) + count / 2) / count)
                }
            }
        }
        return GreyImage(width: ow, height: oh, pixels: out)
    }

    /// Scales by `factor`, area averaging when shrinking and cubic interpolation when enlarging.
    public func scaled(by factor: Double) -> GreyImage {
        let ow = max(1, Int((Double(width) * factor).rounded())), oh = max(1, Int((Double(height) * factor).rounded()))
        if factor < 1 {
            let whole = Int((1 / factor).rounded())
            if abs(1 / Double(whole) - factor) < 1e-9 { return downscaled(by: whole) }
            return resizedArea(width: ow, height: oh)
        }
        return resizedCubic(width: ow, height: oh)
    }

    /// Resizes with Catmull-Rom cubic interpolation (for enlarging small codes).
    public func resizedCubic(width ow: Int, height oh: Int) -> GreyImage {
        precondition(ow > 0 && oh > 0)
        // Separable: horizontal pass into Int32 rows, then vertical pass.
        let xTaps = CubicTaps(source: width, destination: ow)
        let yTaps = CubicTaps(source: height, destination: oh)
        var mid = [Int32](repeating: 0, count: ow * height)
        let w = width
        pixels.withUnsafeBufferPointer { src in
            mid.withUnsafeMutableBufferPointer { m in
                xTaps.index.withUnsafeBufferPointer { index in
                    xTaps.weight.withUnsafeBufferPointer { weight in
                        for y in 0..<height {
                            let row = y * w
                            for ox in 0..<ow {
                                let t = ox * 4
                                var s: Int32 = 0
                                for k in 0..<4 { s += Int32(src[row + index[t + k]]) * weight[t + k] }
                                m[y * ow + ox] = s
                            }
                        }
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: ow * oh)
        mid.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    let t = oy * 4
                    // The four source rows and their weights are the same along the row.
                    let r0 = yTaps.index[t] * ow, r1 = yTaps.index[t + 1] * ow
                    let r2 = yTaps.index[t + 2] * ow, r3 = yTaps.index[t + 3] * ow
                    let w0 = yTaps.weight[t], w1 = yTaps.weight[t + 1], w2 = yTaps.weight[t + 2],
                        w3 = yTaps.weight[t + 3]
                    for ox in 0..<ow {
                        let s = m[r0 + ox] * w0 + m[r1 + ox] * w1 + m[r2 + ox] * w2 + m[r3 + ox] * w3
                        // Weights are in 1/1024 per axis: 20 bits in all.
                        dst[oy * ow + ox] = UInt8(clamping: (s + (1 << 19)) >> 20)
                    }
                }
            }
        }
        return GreyImage(width: ow, height: oh, pixels: out)
    }
}

/// Source indices and fixed-point weights (sum 1024) of the four taps of each output sample.
private struct CubicTaps {
    var index: [Int]
    var weight: [Int32]

    init(source: Int, destination: Int) {
        index = [Int](repeating: 0, count: destination * 4)
        weight = [Int32](repeating: 0, count: destination * 4)
        let scale = Double(source) / Double(destination)
        for o in 0..<destination {
            let center = (Double(o) + 0.5) * scale - 0.5
            let base = Int(center.rounded(.down))
            let t = center - Double(base)
            let w = [
                ((-0.5 * t + 1.0) * t - 0.5) * t,
                (1.5 * t - 2.5) * t * t + 1.0,
                ((-1.5 * t + 2.0) * t + 0.5) * t,
                (0.5 * t - 0.5) * t * t,
            ]
            var fixed = w.map { Int32(($0 * 1024).rounded()) }
            fixed[1] += 1024 - fixed.reduce(0, +)
            for k in 0..<4 {
                index[o * 4 + k] = min(source - 1, max(0, base - 1 + k))
                weight[o * 4 + k] = fixed[k]
            }
        }
    }
}
