import TextEncoding

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

    /// The characters of `text` this encoding cannot hold (printed as `?`), quoted, or nil.
    public func unprintable(in text: String) -> String? {
        let lost = text.filter { character in
            guard !character.isASCII, let bytes = try? encode(String(character)) else { return false }
            return bytes == [UInt8(ascii: "?")]
        }
        return lost.isEmpty ? nil : "'\(lost)'"
    }

    /// `text` in this encoding, character by character, `?` for what it cannot hold.
    /// - Throws: ``StationError/badInput(_:)`` when iconv does not know the charset.
    func encode(_ text: String) throws(StationError) -> [UInt8] {
        let converter: TextConverter
        do { converter = try TextConverter(from: "UTF-8", to: charset) } catch { throw .badInput(error.description) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for character in text {
            if character.isASCII, let ascii = character.asciiValue {
                out.append(ascii)
                continue
            }
            do {
                // A fresh shift state for each character, so one that cannot be held is one `?`.
                try converter.reset()
                let bytes = try converter.convert(Array(String(character).utf8))
                out += bytes.isEmpty ? [UInt8(ascii: "?")] : bytes
            } catch .invalid {
                out.append(UInt8(ascii: "?"))
            } catch {
                throw .badInput("cannot encode the receipt in \(charset): \(error)")
            }
        }
        return out
    }
}
