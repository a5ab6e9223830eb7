/// A plane-to-plane projective transform, `(x, y) -> ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1))`.
public struct Homography: Sendable, Equatable {
    /// Row-major 3x3 matrix with the last entry 1.
    public var m: [Double]

    public init(matrix: [Double]) {
        precondition(matrix.count == 9)
        m = matrix
    }

    /// The transform that takes each of four `from` points to the matching `to` point, or nil
    /// when the points are degenerate (three on a line).
    public init?(from: [Point], to: [Point]) {
        precondition(from.count == 4 && to.count == 4)
        // Eight equations in eight unknowns, solved by Gaussian elimination with partial pivoting.
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for k in 0..<4 {
            let (x, y, u, v) = (from[k].x, from[k].y, to[k].x, to[k].y)
            a[2 * k] = [x, y, 1, 0, 0, 0, -u * x, -u * y, u]
            a[2 * k + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y, v]
        }
        for col in 0..<8 {
            var pivot = col
            for r in col..<8 where abs(a[r][col]) > abs(a[pivot][col]) { pivot = r }
            guard abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot)
            for r in 0..<8 where r != col {
                let f = a[r][col] / a[col][col]
                if f == 0 { continue }
                for c in col..<9 { a[r][c] -= f * a[col][c] }
            }
        }
        m = (0..<8).map { a[$0][8] / a[$0][$0] } + [1]
    }

    /// `(x, y) -> (scale x + dx, scale y + dy)`: a uniform scale, then a shift.
    public init(scale: Double, dx: Double = 0, dy: Double = 0) {
        m = [scale, 0, dx, 0, scale, dy, 0, 0, 1]
    }

    /// The transform that changes nothing.
    public static let identity = Homography(matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1])

    /// Where `p` goes.
    @inlinable
    public func apply(_ p: Point) -> Point {
        let w = m[6] * p.x + m[7] * p.y + m[8]
        return Point(x: (m[0] * p.x + m[1] * p.y + m[2]) / w, y: (m[3] * p.x + m[4] * p.y + m[5]) / w)
    }
}

/// A point in image coordinates (pixels, origin top left).
public struct Point: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

extension GreyImage {
    /// An image of `width` x `height` whose pixel `(x, y)` is this image sampled bilinearly at
    /// `transform.apply((x + 0.5, y + 0.5))`; outside this image reads as `fill`.
    public func warped(by transform: Homography, width ow: Int, height oh: Int, fill: UInt8 = 255) -> GreyImage {
        var out = [UInt8](repeating: fill, count: ow * oh)
        let w = width, h = height, m = transform.m
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    let py = Double(oy) + 0.5
                    for ox in 0..<ow {
                        let px = Double(ox) + 0.5
                        let d = m[6] * px + m[7] * py + m[8]
                        let sx = (m[0] * px + m[1] * py + m[2]) / d - 0.5
                        let sy = (m[3] * px + m[4] * py + m[5]) / d - 0.5
                        guard sx >= 0, sy >= 0, sx < Double(w - 1), sy < Double(h - 1) else { continue }
                        let x0 = Int(sx), y0 = Int(sy)
                        let fx = sx - Double(x0), fy = sy - Double(y0)
                        let i = y0 * w + x0
                        let top = Double(src[i]) * (1 - fx) + Double(src[i + 1]) * fx
                        let bottom = Double(src[i + w]) * (1 - fx) + Double(src[i + w + 1]) * fx
                        dst[oy * ow + ox] = UInt8(top * (1 - fy) + bottom * fy + 0.5)
                    }
                }
            }
        }
        return GreyImage(width: ow, height: oh, pixels: out)
    }
}
