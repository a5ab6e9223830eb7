/// Summed-area table of a grey image: the sum of any rectangle in four look-ups.
public struct IntegralImage: Sendable {
    public let width: Int
    public let height: Int
    /// `(width + 1) * (height + 1)` running sums, first row and column zero.
    public let sums: [Int]

    public init(_ image: GreyImage) {
        width = image.width
        height = image.height
        let stride = width + 1
        var table = [Int](repeating: 0, count: stride * (height + 1))
        let w = width, h = height
        image.pixels.withUnsafeBufferPointer { src in
            table.withUnsafeMutableBufferPointer { s in
                for y in 0..<h {
                    var row = 0
                    for x in 0..<w {
                        row += Int(src[y * w + x])
                        s[(y + 1) * stride + x + 1] = s[y * stride + x + 1] + row
                    }
                }
            }
        }
        self.sums = table
    }

    /// The sum of pixels with `x0 <= x < x1`, `y0 <= y < y1`.
    @inlinable
    public func sum(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) -> Int {
        let stride = width + 1
        return sums.withUnsafeBufferPointer { s in
            s[y1 * stride + x1] - s[y0 * stride + x1] - s[y1 * stride + x0] + s[y0 * stride + x0]
        }
    }
}
