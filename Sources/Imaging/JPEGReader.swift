import CImageShims

/// Decodes baseline and progressive JPEG with libjpeg-turbo (through the `setjmp` shim) to grey,
/// then applies the EXIF orientation so a phone photo comes out upright.
enum JPEGReader {
    static func decode(_ data: [UInt8], source: String) throws(ImageReadError) -> GreyImage {
        let decoder = try JPEGDecoder(source: source)
        let (image, truncated) = try data.withUnsafeBufferPointer { (buffer) throws(ImageReadError) in
            try decoder.decode(buffer, source: source)
        }
        if truncated { throw ImageReadError(source: source, reason: .truncated(format: "JPEG")) }
        let orientation = EXIFOrientation.read(from: data)
        return image.oriented(orientation)
    }
}

/// Owns one libjpeg decompressor; destroyed in `deinit`.
final class JPEGDecoder {
    private let handle: OpaquePointer

    init(source: String) throws(ImageReadError) {
        guard let handle = CImageShims_jpeg_create() else {
            throw ImageReadError(source: source, reason: .io("cannot create a JPEG decoder (out of memory)"))
        }
        self.handle = handle
    }

    deinit { CImageShims_jpeg_destroy(handle) }

    /// Decodes the JPEG in `buffer`, which stays valid for the whole call.
    func decode(_ buffer: UnsafeBufferPointer<UInt8>, source: String) throws(ImageReadError) -> (GreyImage, Bool) {
        var width: UInt32 = 0
        var height: UInt32 = 0
        var components: Int32 = 0
        guard
            CImageShims_jpeg_read_header(handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &components)
                == 0
        else { throw failure(source: source, truncated: false) }
        let w = Int(width)
        let h = Int(height)
        try ImageLimits.check(width: w, height: h, source: source)
        let channels = Int(components)
        var samples = [UInt8](repeating: 128, count: w * h * channels)
        var truncated: Int32 = 0
        let status = samples.withUnsafeMutableBufferPointer {
            CImageShims_jpeg_decode(handle, $0.baseAddress, w * channels, &truncated)
        }
        guard status == 0 else { throw failure(source: source, truncated: truncated != 0) }
        if channels == 1 { return (GreyImage(width: w, height: h, pixels: samples), truncated != 0) }
        return (GreyImage(width: w, height: h, pixels: Self.greyFromCMYK(samples, count: w * h)), truncated != 0)
    }

    private func failure(source: String, truncated: Bool) -> ImageReadError {
        let message = String(cString: CImageShims_jpeg_message(handle))
        if truncated || CImageShims_jpeg_ended_early(handle) != 0 {
            return ImageReadError(source: source, reason: .truncated(format: "JPEG"))
        }
        return ImageReadError(source: source, reason: .corrupt(format: "JPEG", detail: message))
    }

    /// Adobe CMYK JPEGs store inverted ink values; grey is the remaining light.
    private static func greyFromCMYK(_ cmyk: [UInt8], count: Int) -> [UInt8] {
        var grey = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let c = Int(cmyk[4 * i]), m = Int(cmyk[4 * i + 1]), y = Int(cmyk[4 * i + 2]), k = Int(cmyk[4 * i + 3])
            let luma = (77 * c + 150 * m + 29 * y) >> 8
            grey[i] = UInt8(luma * k / 255)
        }
        return grey
    }
}
