import Imaging

/// Where an image shows bars: the bounding box of the largest patch of cells whose brightness
/// changes strongly one way and little the other way (a 1-D code's texture), in pixels of the
/// image it was found in. The expensive 1-D passes (enlargements, CLAHE) run on it instead of on
/// the whole photo.
struct BarRegion: Equatable {
    var x: Int, y: Int, width: Int, height: Int
    /// Whether the bars stand upright (a code read along rows).
    var upright: Bool

    /// Cell side in pixels.
    static let cell = 8
    /// A cell is bar-like when its gradient across the bars is this many times the gradient along them…
    static let anisotropy = 3
    /// …and averages at least this many grey levels a pixel (blank paper and soft shading do not).
    static let strength = 8

    /// The region in `image`, or nil when no patch of at least `minCells` bar-like cells, filling
    /// half its bounding box or more, is there.
    static func find(in image: GreyImage, minCells: Int = 20) -> BarRegion? {
        let c = cell, cols = image.width / c, rows = image.height / c
        guard cols >= 2, rows >= 2 else { return nil }
        var across = [Int](repeating: 0, count: cols * rows), along = across
        let w = image.width
        image.pixels.withUnsafeBufferPointer { px in
            for y in 1..<(rows * c - 1) {
                let row = y * w, cellRow = (y / c) * cols
                for x in 1..<(cols * c - 1) {
                    let gx = abs(Int(px[row + x + 1]) - Int(px[row + x - 1]))
                    let gy = abs(Int(px[row + w + x]) - Int(px[row - w + x]))
                    across[cellRow + x / c] += gx
                    along[cellRow + x / c] += gy
                }
            }
        }
        let minimum = strength * 2 * c * c  // central differences span two pixels
        var best: BarRegion?, bestCells = minCells - 1
        for upright in [true, false] {
            let (a, b) = upright ? (across, along) : (along, across)
            let marked = (0..<(cols * rows)).map { a[$0] >= minimum && a[$0] >= anisotropy * b[$0] }
            // Bars fill their box; the edges of a sheet or the modules of a QR code do not.
            for (box, count) in components(marked, cols: cols, rows: rows)
            where count > bestCells && 2 * count >= (box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1) {
                bestCells = count
                best = BarRegion(
                    x: box.x0 * c, y: box.y0 * c, width: (box.x1 - box.x0 + 1) * c, height: (box.y1 - box.y0 + 1) * c,
                    upright: upright)
            }
        }
        return best
    }

    /// The 8-connected components of marked cells: bounding box (in cells) and cell count.
    static func components(_ marked: [Bool], cols: Int, rows: Int)
        -> [(box: (x0: Int, y0: Int, x1: Int, y1: Int), count: Int)]
    {
        var seen = [Bool](repeating: false, count: marked.count)
        var found: [(box: (x0: Int, y0: Int, x1: Int, y1: Int), count: Int)] = []
        var stack: [Int] = []
        for start in 0..<marked.count where marked[start] && !seen[start] {
            seen[start] = true
            stack.append(start)
            var box = (x0: start % cols, y0: start / cols, x1: start % cols, y1: start / cols), count = 0
            while let index = stack.popLast() {
                count += 1
                let cx = index % cols, cy = index / cols
                box = (min(box.x0, cx), min(box.y0, cy), max(box.x1, cx), max(box.y1, cy))
                for ny in max(0, cy - 1)...min(rows - 1, cy + 1) {
                    for nx in max(0, cx - 1)...min(cols - 1, cx + 1) where marked[ny * cols + nx] {
                        if !seen[ny * cols + nx] {
                            seen[ny * cols + nx] = true
                            stack.append(ny * cols + nx)
                        }
                    }
                }
            }
            found.append((box, count))
        }
        return found
    }

    /// The region scaled by `factor` and widened for the quiet zone: across the bars by `margin`
    /// times its extent that way (at least a few cells), along them by a cell, clipped to
    /// `width` x `height`.
    func scaled(by factor: Int, margin: Double = 0.15, clippedTo bounds: (width: Int, height: Int)) -> BarRegion {
        let cell = BarRegion.cell * factor
        var (x0, y0, x1, y1) = (x * factor, y * factor, (x + width) * factor, (y + height) * factor)
        let acrossPad = max(2 * cell, Int(margin * Double(upright ? x1 - x0 : y1 - y0)))
        if upright {
            (x0, x1, y0, y1) = (x0 - acrossPad, x1 + acrossPad, y0 - cell, y1 + cell)
        } else {
            (y0, y1, x0, x1) = (y0 - acrossPad, y1 + acrossPad, x0 - cell, x1 + cell)
        }
        (x0, y0) = (max(0, x0), max(0, y0))
        (x1, y1) = (min(bounds.width, x1), min(bounds.height, y1))
        return BarRegion(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0), upright: upright)
    }
}
