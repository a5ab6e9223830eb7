/// Reads binary PGM (P5) and PPM (P6), 8- or 16-bit, to grey.
enum PNMReader {
    static func decode(_ data: [UInt8], source: String) throws(ImageReadError) -> GreyImage {
        var parser = HeaderParser(data: data)
        let magic = parser.token()
        guard magic == "P5" || magic == "P6" else {
            throw ImageReadError(
                source: source, reason: .unsupported("PNM type \(magic ?? "?"); only binary P5 and P6 are read"))
        }
        guard let width = parser.number(), let height = parser.number(), let maxValue = parser.number() else {
            throw ImageReadError(source: source, reason: .corrupt(format: "PNM", detail: "bad or incomplete header"))
        }
        guard (1...65535).contains(maxValue) else {
            throw ImageReadError(
                source: source, reason: .corrupt(format: "PNM", detail: "maximum value \(maxValue) out of range"))
        }
        try ImageLimits.check(width: width, height: height, source: source)
        // Exactly one whitespace byte separates the header from the raster.
        let start = parser.offset + 1
        let channels = magic == "P6" ? 3 : 1
        let sampleBytes = maxValue > 255 ? 2 : 1
        let needed = width * height * channels * sampleBytes
        guard start + needed <= data.count else {
            throw ImageReadError(source: source, reason: .truncated(format: "PNM"))
        }
        var pixels = [UInt8](repeating: 0, count: width * height)
        let weights = channels == 3 ? [77, 150, 29] : [256]
        data.withUnsafeBufferPointer { src in
            weights.withUnsafeBufferPointer { weight in
                for i in 0..<(width * height) {
                    var sum = 0
                    for c in 0..<channels {
                        let at = start + (i * channels + c) * sampleBytes
                        let sample = sampleBytes == 2 ? Int(src[at]) << 8 | Int(src[at + 1]) : Int(src[at])
                        sum += sample * weight[c]
                    }
                    pixels[i] = UInt8(min(255, (sum * 255 / 256 + maxValue / 2) / maxValue))
                }
            }
        }
        return GreyImage(width: width, height: height, pixels: pixels)
    }
}

/// Reads whitespace-separated ASCII tokens, skipping `#` comments, as in PNM and Y4M headers.
struct HeaderParser {
    let data: [UInt8]
    var offset = 0

    init(data: [UInt8]) { self.data = data }

    mutating func token() -> String? {
        while offset < data.count {
            if data[offset] == UInt8(ascii: "#") {
                while offset < data.count, data[offset] != 0x0A { offset += 1 }
            } else if Self.isSpace(data[offset]) {
                offset += 1
            } else {
                break
            }
        }
        let start = offset
        while offset < data.count, !Self.isSpace(data[offset]), offset - start < 32 { offset += 1 }
        return offset > start ? String(decoding: data[start..<offset], as: UTF8.self) : nil
    }

    mutating func number() -> Int? {
        guard let text = token(), let value = Int(text), value >= 0 else { return nil }
        return value
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
