import CImageShims

/// Why an image could not be encoded.
public struct ImageWriteError: Error, CustomStringConvertible, Sendable {
    public let detail: String
    public var format = "PNG"

    public init(detail: String, format: String = "PNG") {
        self.detail = detail
        self.format = format
    }

    public var description: String { "cannot encode \(format): \(detail)" }
}

/// Encodes grey images as PNG with libpng (through the `setjmp` shim).
public enum PNGWriter {
    /// Encodes `image` as an 8-bit grey PNG, or as a 1-bit one when `bilevel` is true
    /// (every pixel below 128 black): a QR code needs no more, and the file is far smaller.
    public static func encode(_ image: GreyImage, bilevel: Bool = false, compressionLevel: Int = 6)
        throws(ImageWriteError) -> [UInt8]
    {
        guard !image.isEmpty else { throw ImageWriteError(detail: "image has no pixels") }
        let rowBytes = bilevel ? (image.width + 7) / 8 : image.width
        let rows = bilevel ? pack(image, rowBytes: rowBytes) : image.pixels
        let sink = ByteSink()
        var message = [CChar](repeating: 0, count: 256)
        let status = rows.withUnsafeBufferPointer { pixels in
            withExtendedLifetime(sink) {
                CImageShims_png_write_gray(
                    pixels.baseAddress, UInt32(image.width), UInt32(image.height), rowBytes, bilevel ? 1 : 8,
                    Int32(compressionLevel),
                    { context, bytes, count in
                        let sink = Unmanaged<ByteSink>.fromOpaque(context!).takeUnretainedValue()
                        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
                    }, Unmanaged.passUnretained(sink).toOpaque(), &message, message.count)
            }
        }
        guard status == 0 else {
            throw ImageWriteError(
                detail: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return sink.bytes
    }

    /// Packs pixels 8 to a byte, most significant bit first, 1 for white.
    private static func pack(_ image: GreyImage, rowBytes: Int) -> [UInt8] {
        var packed = [UInt8](repeating: 0, count: rowBytes * image.height)
        image.pixels.withUnsafeBufferPointer { src in
            packed.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    let row = y * image.width
                    for x in 0..<image.width where src[row + x] >= 128 {
                        dst[y * rowBytes + x >> 3] |= 0x80 >> UInt8(x & 7)
                    }
                }
            }
        }
        return packed
    }
}

/// Collects the bytes libpng writes; lives only for one `encode` call.
private final class ByteSink {
    var bytes: [UInt8] = []
}
