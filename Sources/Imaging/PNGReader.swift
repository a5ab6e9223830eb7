import CImageShims
import CPNG

/// Decodes PNG with libpng's simplified API, which handles every colour type, bit depth and
/// interlacing and converts to 8-bit grey itself (errors come back as a return code, so no
/// `setjmp` is needed on this path). Transparent pixels are composited onto white.
enum PNGReader {
    static func decode(_ data: [UInt8], source: String) throws(ImageReadError) -> GreyImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw error(from: &image, source: source, endsEarly: Self.endsEarly(data)) }
        let width = Int(image.width)
        let height = Int(image.height)
        do {
            try ImageLimits.check(width: width, height: height, source: source)
        } catch {
            png_image_free(&image)
            throw error
        }
        // libpng treats 16-bit samples as linear light and would gamma-encode them on the way to
        // 8 bits; reading them as 16-bit and keeping the high byte preserves the stored values.
        if image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0 {
            image.format = UInt32(PNG_FORMAT_LINEAR_Y)
            var wide = [UInt16](repeating: 65535, count: width * height)
            let finished = wide.withUnsafeMutableBytes { buffer in
                png_image_finish_read(&image, nil, buffer.baseAddress, png_int_32(width), nil)
            }
            guard finished != 0 else { throw error(from: &image, source: source, endsEarly: Self.endsEarly(data)) }
            return GreyImage(width: width, height: height, pixels: wide.map { UInt8(($0 + 128 - ($0 >> 8)) >> 8) })
        }
        image.format = UInt32(PNG_FORMAT_GRAY)
        var pixels = [UInt8](repeating: 255, count: width * height)
        let finished = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, png_int_32(width), nil)
        }
        guard finished != 0 else { throw error(from: &image, source: source, endsEarly: Self.endsEarly(data)) }
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    /// Turns the message libpng left in `image` into a typed error and frees what it holds.
    /// libpng's simplified API explains a failure in words only; whether the file was cut short
    /// is read from its structure instead (``endsEarly(_:)``).
    private static func error(from image: inout png_image, source: String, endsEarly: Bool) -> ImageReadError {
        let message = withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        png_image_free(&image)
        if endsEarly {
            return ImageReadError(source: source, reason: .truncated(format: "PNG"))
        }
        return ImageReadError(source: source, reason: .corrupt(format: "PNG", detail: message))
    }

    /// Whether the chunks after the signature run past the end of the data, or stop before IEND:
    /// a PNG cut short.
    static func endsEarly(_ bytes: [UInt8]) -> Bool {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
            if bytes[offset + 4] == 0x49, bytes[offset + 5] == 0x45, bytes[offset + 6] == 0x4E,
                bytes[offset + 7] == 0x44
            {
                return false  // IEND
            }
            offset += 12 + length
        }
        return true
    }
}
