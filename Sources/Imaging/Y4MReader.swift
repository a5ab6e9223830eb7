/// Reads the frames of a YUV4MPEG2 stream (as `ffmpeg -f yuv4mpegpipe` writes it) as grey images:
/// the luma plane of each frame, chroma skipped.
public struct Y4MReader: Sendable {
    /// The stream header: frame size, rate and chroma layout.
    public struct Header: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// Frames per second as a fraction, `F30:1` by default.
        public var frameRate: (numerator: Int, denominator: Int)
        /// Bytes of chroma (and alpha) that follow the luma plane in each frame.
        public var extraBytesPerFrame: Int

        public static func == (a: Header, b: Header) -> Bool {
            a.width == b.width && a.height == b.height && a.frameRate == b.frameRate
                && a.extraBytesPerFrame == b.extraBytesPerFrame
        }

        /// Parses the header line, without its trailing newline.
        public static func parse(_ line: [UInt8], source: String) throws(ImageReadError) -> Header {
            let fields = line.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
            guard fields.first == "YUV4MPEG2" else {
                throw ImageReadError(
                    source: source, reason: .corrupt(format: "Y4M", detail: "missing YUV4MPEG2 signature"))
            }
            var width = 0, height = 0, rate = (30, 1), colour = "420jpeg"
            for field in fields.dropFirst() {
                guard let key = field.first else { continue }
                let value = String(field.dropFirst())
                switch key {
                case "W": width = Int(value) ?? -1
                case "H": height = Int(value) ?? -1
                case "F":
                    let parts = value.split(separator: ":").compactMap { Int($0) }
                    if parts.count == 2, parts[0] > 0, parts[1] > 0 { rate = (parts[0], parts[1]) }
                case "C": colour = value
                default: break
                }
            }
            try ImageLimits.check(width: width, height: height, source: source)
            let cw2 = (width + 1) / 2, ch2 = (height + 1) / 2
            let extra: Int
            switch colour {
            case "420jpeg", "420paldv", "420mpeg2", "420": extra = 2 * cw2 * ch2
            case "422": extra = 2 * cw2 * height
            case "411": extra = 2 * ((width + 3) / 4) * height
            case "444": extra = 2 * width * height
            case "444alpha": extra = 3 * width * height
            case "mono": extra = 0
            default:
                throw ImageReadError(
                    source: source,
                    reason: .unsupported("Y4M colour space C\(colour); 8-bit 420, 422, 411, 444 and mono are read"))
            }
            return Header(width: width, height: height, frameRate: rate, extraBytesPerFrame: extra)
        }
    }

    public let header: Header
    private let data: [UInt8]
    private let source: String
    private var offset: Int

    /// Parses the stream header of `data`.
    public init(data: [UInt8], source: String) throws(ImageReadError) {
        guard let end = data.prefix(1024).firstIndex(of: 0x0A) else {
            throw ImageReadError(
                source: source,
                reason: data.count < 1024
                    ? .truncated(format: "Y4M") : .corrupt(format: "Y4M", detail: "header line too long"))
        }
        self.header = try Header.parse(Array(data[..<end]), source: source)
        self.data = data
        self.source = source
        self.offset = end + 1
    }

    /// The next frame's luma plane, or nil at the clean end of the stream.
    public mutating func nextFrame() throws(ImageReadError) -> GreyImage? {
        guard offset < data.count else { return nil }
        guard let end = data[offset..<min(data.count, offset + 1024)].firstIndex(of: 0x0A) else {
            throw ImageReadError(source: source, reason: .truncated(format: "Y4M"))
        }
        guard data[offset..<end].starts(with: Array("FRAME".utf8)) else {
            throw ImageReadError(
                source: source, reason: .corrupt(format: "Y4M", detail: "expected a FRAME header at byte \(offset)"))
        }
        let lumaStart = end + 1
        let lumaCount = header.width * header.height
        guard lumaStart + lumaCount + header.extraBytesPerFrame <= data.count else {
            throw ImageReadError(source: source, reason: .truncated(format: "Y4M"))
        }
        offset = lumaStart + lumaCount + header.extraBytesPerFrame
        return GreyImage(
            width: header.width, height: header.height, pixels: Array(data[lumaStart..<(lumaStart + lumaCount)]))
    }
}
