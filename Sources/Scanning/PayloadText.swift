import TextEncoding

/// Turns payload bytes into text: UTF-8 when valid, else Shift_JIS (QR's common non-UTF-8 charset),
/// else Latin-1 (ISO 8859-1, QR's default), which accepts any byte.
public enum PayloadText {
    public static func decode(_ bytes: [UInt8]) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        if looksLikeShiftJIS(bytes), let sjis = convert(bytes, from: "SHIFT_JIS") { return sjis }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// ZXing's guess: the bytes must be well-formed Shift_JIS, and look like Japanese (a run of
    /// three half-width katakana or double-byte characters, or bytes that are rare in Latin-1 text).
    private static func looksLikeShiftJIS(_ bytes: [UInt8]) -> Bool {
        var i = 0, kanaRun = 0, maxKana = 0, kanaTotal = 0, pairRun = 0, maxPairs = 0, latinOdd = 0
        while i < bytes.count {
            let b = bytes[i]
            if (0x80...0x9F).contains(b) == false, b > 0x9F, b < 0xC0 || b == 0xD7 || b == 0xF7 { latinOdd += 1 }
            if b < 0x80 {
                kanaRun = 0
                pairRun = 0
                i += 1
            } else if (0xA1...0xDF).contains(b) {
                kanaRun += 1
                kanaTotal += 1
                maxKana = max(maxKana, kanaRun)
                pairRun = 0
                i += 1
            } else if (0x81...0x9F).contains(b) || (0xE0...0xEF).contains(b) {
                guard i + 1 < bytes.count else { return false }
                let t = bytes[i + 1]
                guard (0x40...0x7E).contains(t) || (0x80...0xFC).contains(t) else { return false }
                pairRun += 1
                maxPairs = max(maxPairs, pairRun)
                kanaRun = 0
                i += 2
            } else {
                return false
            }
        }
        if maxKana >= 3 || maxPairs >= 2 { return true }
        return (maxKana == 2 && kanaTotal == 2) || maxPairs >= 1 || latinOdd * 10 >= bytes.count
    }

    /// Converts with glibc's iconv (``TextConverter``); nil when the bytes are not valid in `charset`.
    static func convert(_ bytes: [UInt8], from charset: String) -> String? {
        guard let converted = try? TextConverter(from: charset, to: "UTF-8").convert(bytes) else { return nil }
        return String(validating: converted, as: UTF8.self)
    }
}
