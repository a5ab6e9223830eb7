import Imaging

/// Drawing a located code flat: module samples redrawn crisp, or the warped photo thresholded.
extension QRLocator {
    /// One fitted grid's modules: each one's shade at its centre (five bilinear samples), called
    /// dark or light against the 9x9 modules around it. Sampled once for the candidates that
    /// draw from it.
    struct SampledModules {
        let dim: Int
        let toImage: Homography
        let grid: ModuleGrid
        let decisions: ModuleGrid.Decisions

        init(grey: GreyImage, toImage: Homography, dim: Int) {
            self.dim = dim
            self.toImage = toImage
            grid = ModuleGrid(values: QRLocator.moduleShades(grey: grey, toImage: toImage, dim: dim), dim: dim)
            decisions = grid.decide(radius: 4)
        }
    }

    /// The sampled modules drawn crisp: zbar then only has to decode, not to cope with blur,
    /// glare or perspective.
    static func sampled(_ modules: SampledModules) -> (GreyImage, Homography) {
        canvas(modules.decisions.dark, dim: modules.dim, toImage: modules.toImage)
    }

    /// The sampled modules mended by ``QRRepair`` (Reed-Solomon with the unreliable modules as
    /// erasures, clean function patterns); nothing when they cannot be mended or need no mending.
    /// The modules are called against the 9x9 modules around and, failing that, the 5x5, which
    /// follow the edge of a glare patch more closely.
    static func repaired(_ modules: SampledModules) -> [(GreyImage, Homography)] {
        let dim = modules.dim
        for radius in [4, 2] {
            let d = radius == 4 ? modules.decisions : modules.grid.decide(radius: radius)
            if let mended = QRRepair.mend(dark: d.dark, reliability: d.reliability, dim: dim)
                ?? QRRepair.mend(dark: d.dark, reliability: d.uniformity, dim: dim)
            {
                return [canvas(mended, dim: dim, toImage: modules.toImage)]
            }
        }
        return []
    }

    /// Each module's shade at its centre: the mean of five bilinear samples.
    static func moduleShades(grey: GreyImage, toImage: Homography, dim: Int) -> [Double] {
        var values = [Double](repeating: 0, count: dim * dim)
        let taps = [(0.5, 0.5), (0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7)]
        let m = toImage.m
        let (m0, m1, m2, m3, m4, m5, m6, m7, m8) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
        let w = grey.width, h = grey.height
        let maxX = Double(w - 1) - 1e-9, maxY = Double(h - 1) - 1e-9
        grey.pixels.withUnsafeBufferPointer { px in
            values.withUnsafeMutableBufferPointer { out in
                for j in 0..<dim {
                    for i in 0..<dim {
                        var sum = 0.0
                        for (ox, oy) in taps {
                            let u = Double(i) + ox, v = Double(j) + oy
                            let r = 1 / (m6 * u + m7 * v + m8)
                            // Bilinear, pixel centres at half-integers, clamped to the image.
                            let x = min(max((m0 * u + m1 * v + m2) * r - 0.5, 0), maxX)
                            let y = min(max((m3 * u + m4 * v + m5) * r - 0.5, 0), maxY)
                            let x0 = Int(x), y0 = Int(y), fx = x - Double(x0), fy = y - Double(y0)
                            let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
                            let top = Double(px[y0 * w + x0]) * (1 - fx) + Double(px[y0 * w + x1]) * fx
                            let bottom = Double(px[y1 * w + x0]) * (1 - fx) + Double(px[y1 * w + x1]) * fx
                            sum += top * (1 - fy) + bottom * fy
                        }
                        out[j * dim + i] = sum / Double(taps.count)
                    }
                }
            }
        }
        return values
    }

    /// Modules drawn crisp on a canvas with a quiet zone, and the canvas's mapping to the image.
    static func canvas(_ dark: [Bool], dim: Int, toImage: Homography) -> (GreyImage, Homography) {
        let px = dim > 100 ? 3 : 4, q = quietZone
        let canvasToModule = Homography(scale: 1 / Double(px), dx: -Double(q), dy: -Double(q))
        return (drawn(dark, dim: dim, px: px), toImage.composed(with: canvasToModule))
    }

    /// A canvas of `dim` x `dim` modules of `px` pixels plus the quiet zone, dark where `dark` says.
    static func drawn(_ dark: [Bool], dim: Int, px: Int) -> GreyImage {
        let q = quietZone, side = (dim + 2 * q) * px
        var canvas = GreyImage(width: side, height: side, fill: 255)
        canvas.pixels.withUnsafeMutableBufferPointer { out in
            for j in 0..<dim {
                for i in 0..<dim where dark[j * dim + i] {
                    for y in 0..<px {
                        let row = ((j + q) * px + y) * side + (i + q) * px
                        for x in 0..<px { out[row + x] = 0 }
                    }
                }
            }
        }
        return canvas
    }

    /// Samples the code into a canvas of `dim` modules plus the quiet zone, outside the code white.
    static func render(grey: GreyImage, toImage: Homography, dim: Int) -> (GreyImage, Homography) {
        // Fewer pixels a module for big symbols: zbar reads a crisp 3-pixel module, and a
        // version-40 canvas at 5 pixels would cost more than the photo it came from.
        let p = dim <= 57 ? modulePixels : dim <= 97 ? 4 : 3, q = Double(quietZone)
        let side = Int((Double(dim) + 2 * q) * p)
        // Canvas pixel -> module coordinates -> image.
        let canvasToModule = Homography(scale: 1 / p, dx: -q, dy: -q)
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
