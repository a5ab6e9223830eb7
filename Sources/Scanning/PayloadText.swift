#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns payload bytes into text: UTF-8 when valid, else Shift_JIS (QR's common non-UTF-8 charset),
/// else Latin-1 (ISO 8859-1, QR's default), which accepts any byte.
public enum PayloadText {
    public static func decode(_ bytes: [UInt8]) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        if looksLikeShiftJIS(bytes), let sjis = convert(bytes, from: "SHIFT_JIS") { return sjis }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// Shift_JIS text has lead bytes 0x81-0x9F or 0xE0-0xEF followed by a trail byte, or single-byte
    /// katakana 0xA1-0xDF; requiring at least one double-byte pair keeps Latin-1 text out.
    private static func looksLikeShiftJIS(_ bytes: [UInt8]) -> Bool {
        var i = 0, pairs = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 || (0xA1...0xDF).contains(b) {
                i += 1
            } else if (0x81...0x9F).contains(b) || (0xE0...0xEF).contains(b) {
                guard i + 1 < bytes.count else { return false }
                let t = bytes[i + 1]
                guard (0x40...0x7E).contains(t) || (0x80...0xFC).contains(t) else { return false }
                pairs += 1
                i += 2
            } else {
                return false
            }
        }
        return pairs > 0
    }

    /// Converts with glibc's iconv; nil when the bytes are not valid in `charset`.
    static func convert(_ bytes: [UInt8], from charset: String) -> String? {
        let descriptor = iconv_open("UTF-8", charset)
        guard let cd = descriptor, Int(bitPattern: cd) != -1 else { return nil }
        defer { iconv_close(cd) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 4 + 16)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr = inBuf.baseAddress, inLeft = inBuf.count
                var outPtr = outBuf.baseAddress, outLeft = outBuf.count
                let status = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                guard status != -1, inLeft == 0 else { return nil }
                return outBuf.count - outLeft
            }
        }
        guard let count = produced else { return nil }
        return String(validating: output[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
