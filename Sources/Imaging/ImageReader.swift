import Foundation

/// Reads image files of any supported format into a ``GreyImage``.
///
/// ```swift
/// let image = try ImageReader.read(path: "phone.jpg")
/// ```
public enum ImageReader {
    /// Reads and decodes the file at `path`; `-` reads standard input.
    /// - Throws: ``ImageReadError`` naming the file and the reason.
    public static func read(path: String) throws(ImageReadError) -> GreyImage {
        let data: [UInt8]
        do {
            if path == "-" {
                data = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            } else {
                data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
            }
        } catch {
            throw ImageReadError(source: path, reason: .io(Self.describe(error)))
        }
        return try decode(data, source: path)
    }

    /// Decodes an image held in memory.
    /// - Parameter source: the name used in errors.
    public static func decode(_ data: [UInt8], source: String) throws(ImageReadError) -> GreyImage {
        guard !data.isEmpty else { throw ImageReadError(source: source, reason: .empty) }
        guard let format = ImageFormat.detect(data) else {
            throw ImageReadError(source: source, reason: .unsupported("not a PNG, JPEG, PNM or Y4M file"))
        }
        switch format {
        case .png: return try PNGReader.decode(data, source: source)
        case .jpeg: return try JPEGReader.decode(data, source: source)
        case .pnm: return try PNMReader.decode(data, source: source)
        case .y4m:
            var reader = try Y4MReader(data: data, source: source)
            guard let frame = try reader.nextFrame() else {
                throw ImageReadError(source: source, reason: .truncated(format: "Y4M"))
            }
            return frame
        }
    }

    private static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError { return "no such file" }
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoPermissionError { return "permission denied" }
        return ns.localizedDescription
    }
}
