#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a receipt printer takes text: GB18030 in Chinese character mode, or a single-byte code
/// page (ESC t n). Characters the printer cannot show print as `?`.
public enum PrinterEncoding: String, Sendable, CaseIterable, Codable {
    case gb18030
    case cp437
    case cp858

    /// The iconv name.
    var charset: String {
        switch self {
        case .gb18030: "GB18030"
        case .cp437: "CP437"
        case .cp858: "CP858"
        }
    }

    /// The commands that put the printer in this encoding after ESC @.
    var select: [UInt8] {
        switch self {
        case .gb18030: [0x1C, 0x26]  // FS &: Chinese character mode
        case .cp437: [0x1C, 0x2E, 0x1B, 0x74, 0]  // FS . (leave Chinese mode), ESC t 0
        case .cp858: [0x1C, 0x2E, 0x1B, 0x74, 19]
        }
    }

    /// `text` in this encoding, character by character, `?` for what it cannot hold.
    /// - Throws: ``StationError/badInput(_:)`` when iconv does not know the charset.
    func encode(_ text: String) throws(StationError) -> [UInt8] {
        guard let cd = iconv_open(charset, "UTF-8"), Int(bitPattern: cd) != -1 else {
            throw .badInput("this system's iconv cannot convert to \(charset)")
        }
        defer { iconv_close(cd) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for character in text {
            if character.isASCII, let ascii = character.asciiValue {
                out.append(ascii)
                continue
            }
            if let bytes = Self.convert(cd, Array(String(character).utf8)) {
                out += bytes
            } else {
                out.append(UInt8(ascii: "?"))
            }
        }
        return out
    }

    private static func convert(_ cd: iconv_t, _ bytes: [UInt8]) -> [UInt8]? {
        // Reset the shift state between characters.
        _ = iconv(cd, nil, nil, nil, nil)
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: 16)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr = inBuf.baseAddress, inLeft = inBuf.count
                var outPtr = outBuf.baseAddress, outLeft = outBuf.count
                let status = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                guard status != -1, inLeft == 0 else { return nil }
                return outBuf.count - outLeft
            }
        }
        guard let produced, produced > 0 else { return nil }
        return output[..<produced].map { UInt8(bitPattern: $0) }
    }
}
