#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a YUV4MPEG2 stream frame by frame from a file descriptor (a pipe from ffmpeg, or a file),
/// without holding more than one frame: the luma plane of each frame as a grey image.
public final class Y4MStream {
    public let header: Y4MReader.Header
    private let fd: Int32
    private let source: String
    private var buffer: [UInt8] = []
    private var start = 0
    /// Frames read so far.
    public private(set) var frameCount = 0

    /// Reads the stream header from `fd` (which the caller keeps open and closes).
    public init(fd: Int32, source: String) throws(ImageReadError) {
        self.fd = fd
        self.source = source
        var reader = ByteReader(fd: fd)
        guard let line = try reader.line(limit: 1024, source: source) else {
            throw ImageReadError(source: source, reason: .truncated(format: "Y4M"))
        }
        header = try Y4MReader.Header.parse(line, source: source)
        buffer = reader.leftover
    }

    /// The next frame, or nil at the clean end of the stream.
    public func nextFrame() throws(ImageReadError) -> GreyImage? {
        var reader = ByteReader(fd: fd, leftover: buffer)
        guard let line = try reader.line(limit: 1024, source: source) else { return nil }
        guard line.starts(with: Array("FRAME".utf8)) else {
            throw ImageReadError(
                source: source,
                reason: .corrupt(format: "Y4M", detail: "expected a FRAME header in frame \(frameCount)"))
        }
        let luma = header.width * header.height
        guard let bytes = try reader.exactly(luma + header.extraBytesPerFrame, source: source) else {
            throw ImageReadError(source: source, reason: .truncated(format: "Y4M"))
        }
        buffer = reader.leftover
        frameCount += 1
        return GreyImage(width: header.width, height: header.height, pixels: Array(bytes[0..<luma]))
    }
}

/// Buffered reads from a file descriptor.
struct ByteReader {
    let fd: Int32
    var leftover: [UInt8] = []

    /// Reads more bytes; false at the end of the stream.
    mutating func fill(source: String) throws(ImageReadError) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageReadError(source: source, reason: .io(String(cString: strerror(errno))))
            }
            if n == 0 { return false }
            leftover += chunk[0..<n]
            return true
        }
    }

    /// The next line without its newline; nil at a clean end.
    mutating func line(limit: Int, source: String) throws(ImageReadError) -> [UInt8]? {
        while true {
            if let newline = leftover.firstIndex(of: 0x0A) {
                let line = Array(leftover[0..<newline])
                leftover.removeFirst(newline + 1)
                return line
            }
            guard leftover.count < limit else {
                throw ImageReadError(source: source, reason: .corrupt(format: "Y4M", detail: "header line too long"))
            }
            guard try fill(source: source) else {
                if leftover.isEmpty { return nil }
                throw ImageReadError(source: source, reason: .truncated(format: "Y4M"))
            }
        }
    }

    /// Exactly `count` bytes; nil when the stream ends first.
    mutating func exactly(_ count: Int, source: String) throws(ImageReadError) -> [UInt8]? {
        leftover.reserveCapacity(count)
        while leftover.count < count {
            guard try fill(source: source) else { return nil }
        }
        let bytes = Array(leftover[0..<count])
        leftover.removeFirst(count)
        return bytes
    }
}
