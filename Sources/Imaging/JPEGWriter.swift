import CImageShims

/// Encodes grey images as baseline JPEG with libjpeg (through the `setjmp` shim): the format a
/// phone camera hands over, for simulated photos in tests and the demo.
public enum JPEGWriter {
    /// - Parameter quality: 1 to 100; 85 is a typical camera setting.
    public static func encode(_ image: GreyImage, quality: Int = 85) throws(ImageWriteError) -> [UInt8] {
        guard !image.isEmpty else { throw ImageWriteError(detail: "image has no pixels", format: "JPEG") }
        guard (1...100).contains(quality) else {
            throw ImageWriteError(detail: "quality \(quality) is not 1 to 100", format: "JPEG")
        }
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            withExtendedLifetime(sink) {
                CImageShims_jpeg_write_gray(
                    pixels.baseAddress, UInt32(image.width), UInt32(image.height), image.width, Int32(quality),
                    { context, bytes, count in
                        let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
                        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
                    }, Unmanaged.passUnretained(sink).toOpaque(), &message, message.count)
            }
        }
        guard status == 0 else {
            throw ImageWriteError(
                detail: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                format: "JPEG")
        }
        return sink.bytes
    }
}
