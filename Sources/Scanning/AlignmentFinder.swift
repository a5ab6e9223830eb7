import Imaging

/// Finds a QR alignment pattern (a dark module in a light ring in a dark ring) near where it should be.
enum AlignmentFinder {
    /// The patterns within ten modules of `guess`, nearest first (at most `limit`): a dark
    /// module with one light and then one dark module on each side, across and down.
    static func find(in image: GreyImage, near guess: Point, moduleSize: Double, limit: Int = 3) -> [Point] {
        let radius = Int(max(4, moduleSize * 10))
        let cx = Int(guess.x), cy = Int(guess.y)
        let x0 = max(0, cx - radius), x1 = min(image.width - 1, cx + radius)
        let y0 = max(0, cy - radius), y1 = min(image.height - 1, cy + radius)
        guard x1 > x0 + 3, y1 > y0 + 3 else { return [] }
        var found: [(Double, Point)] = []
        let ringLimit = Int(moduleSize * 2) + 1
        func ring(_ x: Int, _ y: Int, dx: Int = 0, dy: Int = 0) -> Bool {
            let n = runLength(image, x: x, y: y, dx: dx, dy: dy, dark: true, limit: ringLimit)
            return Double(n) >= moduleSize * 0.4
        }
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
                    abs(Double(right) - moduleSize) <= moduleSize * 0.7,
                    ring(start - 1 - left, y, dx: -1), ring(x + right, y, dx: 1)
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
                    abs(Double(below) - moduleSize) <= moduleSize * 0.7,
                    ring(col, up - 1 - above, dy: -1), ring(col, down + 1 + below, dy: 1)
                else { continue }
                let center = Point(x: centerX, y: Double(up) + vrun / 2)
                // One pattern is crossed by several rows: keep one centre per pattern.
                guard !found.contains(where: { QRLocator.dist($0.1, center) < moduleSize * 2 }) else { continue }
                found.append((QRLocator.dist(center, guess), center))
            }
        }
        return found.sorted { $0.0 < $1.0 }.prefix(limit).map(\.1)
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
