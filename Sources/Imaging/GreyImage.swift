/// An 8-bit grey image in one contiguous buffer, rows top to bottom, no padding.
///
/// This is the one image type of the package: every reader produces it, every image
/// operation takes and returns it, and the scanner decodes it.
public struct GreyImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` bytes, row-major; 0 is black, 255 is white.
    public var pixels: [UInt8]

    /// Creates an image from existing pixels; `pixels.count` must equal `width * height`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height, "pixel count does not match size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Creates an image filled with one value.
    public init(width: Int, height: Int, fill: UInt8 = 255) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
    }

    /// The pixel at column `x`, row `y`.
    @inlinable
    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    public var isEmpty: Bool { width == 0 || height == 0 }
}

extension GreyImage {
    /// The `width` x `height` part whose top-left pixel is (`x`, `y`), clipped to the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> GreyImage {
        let x0 = min(max(0, x), width), y0 = min(max(0, y), height)
        let x1 = min(max(x0, x + w), width), y1 = min(max(y0, y + h), height)
        var out = [UInt8]()
        out.reserveCapacity((x1 - x0) * (y1 - y0))
        for row in y0..<y1 { out.append(contentsOf: pixels[(row * width + x0)..<(row * width + x1)]) }
        return GreyImage(width: x1 - x0, height: y1 - y0, pixels: out)
    }
}
