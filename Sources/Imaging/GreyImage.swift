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
