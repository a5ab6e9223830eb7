/// Why an image could not be read, with the file it came from.
public struct ImageReadError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        /// The file or stream holds no bytes.
        case empty
        /// The data ends before the image does.
        case truncated(format: String)
        /// The data is not a valid image of its format; the library's message says why.
        case corrupt(format: String, detail: String)
        /// The bytes are no format this reader knows, or a variant of one it does not support.
        case unsupported(String)
        /// The image is larger than the reader accepts.
        case tooLarge(width: Int, height: Int)
        /// The file could not be opened or read.
        case io(String)
    }

    /// The file name, or `-` for standard input.
    public let source: String
    public let reason: Reason

    public init(source: String, reason: Reason) {
        self.source = source
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .empty: "\(source): empty file, no image data"
        case .truncated(let format): "\(source): truncated \(format) data (the file ends before the image does)"
        case .corrupt(let format, let detail): "\(source): corrupt \(format) data: \(detail)"
        case .unsupported(let what): "\(source): unsupported image: \(what)"
        case .tooLarge(let w, let h):
            "\(source): image of \(w)x\(h) pixels is larger than the \(ImageLimits.maxPixels)-pixel limit"
        case .io(let detail): "\(source): cannot read: \(detail)"
        }
    }
}

/// Bounds that keep a hostile file from making a reader allocate without limit.
public enum ImageLimits {
    /// The largest image accepted, in pixels (about a 64-megapixel photo).
    public static let maxPixels = 64 * 1024 * 1024
    /// The longest side accepted.
    public static let maxSide = 32_768

    static func check(width: Int, height: Int, source: String) throws(ImageReadError) {
        guard width > 0, height > 0 else {
            throw ImageReadError(source: source, reason: .corrupt(format: "image", detail: "zero width or height"))
        }
        guard width <= maxSide, height <= maxSide, width * height <= maxPixels else {
            throw ImageReadError(source: source, reason: .tooLarge(width: width, height: height))
        }
    }
}
