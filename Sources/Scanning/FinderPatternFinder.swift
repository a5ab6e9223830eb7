import Imaging

/// A QR finder pattern (the 7x7 concentric squares in three corners) seen in an image.
struct FinderPattern: Sendable, Equatable {
    var center: Point
    /// Estimated module size in pixels.
    var moduleSize: Double
    /// How many scan lines confirmed it.
    var count: Int
}

/// Finds QR finder patterns in a binarised image by their 1:1:3:1:1 dark-light-dark-light-dark
/// run ratio across rows, cross-checked down the column and along the diagonal (as ZXing does).
struct FinderPatternFinder {
    let image: GreyImage
    /// Dark pixels are those below this level (the image is already binarised: 0 or 255).
    let dark: UInt8 = 128

    func find() -> [FinderPattern] {
        var found: [FinderPattern] = []
        let w = image.width, h = image.height
        // Every row for small images, sparser for big ones: a finder is at least 7 rows tall.
        let step = max(1, h / 400)
        image.pixels.withUnsafeBufferPointer { px in
            var y = step - 1
            while y < h {
                var counts = [0, 0, 0, 0, 0]
                var state = 0
                let row = y * w
                for x in 0..<w {
                    if px[row + x] < dark {
                        if state & 1 == 1 { state += 1 }  // light -> dark
                        counts[state] += 1
                    } else if state & 1 == 1 {
                        counts[state] += 1
                    } else if state == 4 {
                        // dark, light, dark, light, dark, then light: is it 1:1:3:1:1?
                        if Self.ratioOK(counts), check(counts, x: x, y: y, into: &found, px) {
                            counts = [0, 0, 0, 0, 0]
                            state = 0
                        } else {
                            counts = [counts[2], counts[3], counts[4], 1, 0]
                            state = 3
                        }
                    } else if counts[state] > 0 {
                        state += 1
                        counts[state] += 1
                    }
                }
                if state == 4, Self.ratioOK(counts) { check(counts, x: w, y: y, into: &found, px) }
                y += step
            }
        }
        return found
    }

    /// Checks a candidate row hit down the column and across the row again, and records it.
    @discardableResult
    private func check(
        _ counts: [Int], x end: Int, y: Int, into found: inout [FinderPattern], _ px: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let total = counts.reduce(0, +)
        let centerX = Double(end - counts[4] - counts[3]) - Double(counts[2]) / 2
        guard
            let (centerY, vTotal) = crossCheck(
                px, fixed: Int(centerX), from: y, vertical: true, maxCount: counts[2], total: total)
        else { return false }
        guard
            let (refinedX, hTotal) = crossCheck(
                px, fixed: Int(centerY), from: Int(centerX), vertical: false, maxCount: counts[2], total: total)
        else { return false }
        let module = Double(total + vTotal + hTotal) / 21
        let center = Point(x: refinedX, y: centerY)
        if let i = found.firstIndex(where: { Self.near($0, center, module) }) {
            let n = Double(found[i].count)
            found[i].center = Point(
                x: (found[i].center.x * n + center.x) / (n + 1), y: (found[i].center.y * n + center.y) / (n + 1))
            found[i].moduleSize = (found[i].moduleSize * n + module) / (n + 1)
            found[i].count += 1
        } else {
            found.append(FinderPattern(center: center, moduleSize: module, count: 1))
        }
        return true
    }

    static func near(_ p: FinderPattern, _ c: Point, _ module: Double) -> Bool {
        abs(c.x - p.center.x) <= max(module, p.moduleSize) * 1.5
            && abs(c.y - p.center.y) <= max(module, p.moduleSize) * 1.5
            && abs(module - p.moduleSize) <= max(1, 0.5 * p.moduleSize)
    }

    /// Runs of 1:1:3:1:1 within tolerance.
    static func ratioOK(_ c: [Int]) -> Bool {
        let total = c.reduce(0, +)
        guard total >= 7, c.allSatisfy({ $0 > 0 }) else { return false }
        let module = Double(total) / 7
        let variance = module * 0.6
        return abs(module - Double(c[0])) < variance && abs(module - Double(c[1])) < variance
            && abs(3 * module - Double(c[2])) < 3 * variance && abs(module - Double(c[3])) < variance
            && abs(module - Double(c[4])) < variance
    }

    /// Measures the five runs through (fixed, from) along a column (or row); returns the centre
    /// along that line and the runs' total when they show the pattern at a similar size.
    private func crossCheck(
        _ px: UnsafeBufferPointer<UInt8>, fixed: Int, from start: Int, vertical: Bool, maxCount: Int, total: Int
    )
        -> (Double, Int)?
    {
        let w = image.width, limit = vertical ? image.height : image.width
        guard fixed >= 0, fixed < (vertical ? w : image.height), start >= 0, start < limit else { return nil }
        func isDark(_ i: Int) -> Bool { (vertical ? px[i * w + fixed] : px[fixed * w + i]) < dark }
        var c = [0, 0, 0, 0, 0]
        var i = start
        guard isDark(i) else { return nil }
        while i >= 0, isDark(i) { c[2] += 1; i -= 1 }
        while i >= 0, !isDark(i), c[1] <= maxCount * 2 { c[1] += 1; i -= 1 }
        guard i >= 0, c[1] <= maxCount * 2 else { return nil }
        while i >= 0, isDark(i), c[0] <= maxCount * 2 { c[0] += 1; i -= 1 }
        guard c[0] <= maxCount * 2 else { return nil }
        i = start + 1
        while i < limit, isDark(i) { c[2] += 1; i += 1 }
        while i < limit, !isDark(i), c[3] <= maxCount * 2 { c[3] += 1; i += 1 }
        guard i < limit, c[3] <= maxCount * 2 else { return nil }
        while i < limit, isDark(i), c[4] <= maxCount * 2 { c[4] += 1; i += 1 }
        guard c[4] <= maxCount * 2 else { return nil }
        let sum = c.reduce(0, +)
        guard 5 * abs(sum - total) < 2 * total * 2, Self.ratioOK(c) else { return nil }
        return (Double(i - c[4] - c[3]) - Double(c[2]) / 2, sum)
    }
}
