extension GreyImage {
    /// Contrast-limited adaptive histogram equalisation: each tile of a `tiles` x `tiles` grid is
    /// equalised with its histogram clipped at `clipLimit` times the mean bin, and pixels blend
    /// the mappings of the four nearest tiles.
    public func clahe(tiles: Int = 8, clipLimit: Double = 2.5) -> GreyImage {
        let tx = max(1, min(tiles, width)), ty = max(1, min(tiles, height))
        let tileW = (width + tx - 1) / tx, tileH = (height + ty - 1) / ty
        var maps = [UInt8](repeating: 0, count: tx * ty * 256)
        pixels.withUnsafeBufferPointer { src in
            for j in 0..<ty {
                for i in 0..<tx {
                    var hist = [Int](repeating: 0, count: 256)
                    let x0 = i * tileW, x1 = min(width, x0 + tileW), y0 = j * tileH, y1 = min(height, y0 + tileH)
                    guard x1 > x0, y1 > y0 else { continue }
                    for y in y0..<y1 { for x in x0..<x1 { hist[Int(src[y * width + x])] += 1 } }
                    let count = (x1 - x0) * (y1 - y0)
                    let limit = max(1, Int(clipLimit * Double(count) / 256))
                    var excess = 0
                    for b in 0..<256 where hist[b] > limit {
                        excess += hist[b] - limit
                        hist[b] = limit
                    }
                    // Spread the clipped excess evenly, the remainder one count per bin at a stride,
                    // so the histogram still sums to the tile's pixel count.
                    let add = excess / 256, remainder = excess % 256
                    if remainder > 0 {
                        let step = max(1, 256 / remainder)
                        var b = 0, left = remainder
                        while b < 256, left > 0 { hist[b] += 1; left -= 1; b += step }
                    }
                    var cdf = 0
                    for b in 0..<256 {
                        cdf += hist[b] + add
                        maps[(j * tx + i) * 256 + b] = UInt8(clamping: cdf * 255 / count)
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: pixels.count)
        let w = width
        // Per column: the two nearest tiles and the weight of the second, in 1/256 steps from
        // the tile centres (the same for every row, so computed once).
        var columns = [(i0: Int, i1: Int, wx: Int)]()
        columns.reserveCapacity(w)
        for x in 0..<w {
            let fx = max(0, (x * 256 - tileW * 128) / tileW)
            let i0 = min(tx - 1, fx >> 8)
            columns.append((i0 * 256, min(tx - 1, i0 + 1) * 256, fx & 255))
        }
        pixels.withUnsafeBufferPointer { src in
            maps.withUnsafeBufferPointer { m in
                columns.withUnsafeBufferPointer { cols in
                    out.withUnsafeMutableBufferPointer { dst in
                        for y in 0..<height {
                            let fy = max(0, (y * 256 - tileH * 128) / tileH)
                            let j0 = min(ty - 1, fy >> 8), j1 = min(ty - 1, j0 + 1), wy = fy & 255
                            let top0 = j0 * tx * 256, bottom0 = j1 * tx * 256
                            for x in 0..<w {
                                let c = cols[x], p = Int(src[y * w + x])
                                let a = Int(m[top0 + c.i0 + p]), b = Int(m[top0 + c.i1 + p])
                                let d0 = Int(m[bottom0 + c.i0 + p]), d1 = Int(m[bottom0 + c.i1 + p])
                                let top = a * (256 - c.wx) + b * c.wx, bottom = d0 * (256 - c.wx) + d1 * c.wx
                                dst[y * w + x] = UInt8((top * (256 - wy) + bottom * wy + (1 << 15)) >> 16)
                            }
                        }
                    }
                }
            }
        }
        return GreyImage(width: width, height: height, pixels: out)
    }
}
