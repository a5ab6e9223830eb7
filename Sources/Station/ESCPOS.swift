import QRRender

/// ESC/POS bytes for 58 mm and 80 mm thermal printers: init, encoding, alignment, bold, the QR
/// through the printer's own command (GS ( k) or as a raster image (GS v 0), feed and cut.
public struct ESCPOS: Sendable {
    public enum QRMode: String, Sendable, CaseIterable, Codable {
        /// The printer's QR command (most Epson-compatible printers since about 2010).
        case native
        /// A raster bit image, for printers without a QR command.
        case raster
    }

    public var encoding: PrinterEncoding = .gb18030
    public var qr: QRMode = .native
    /// Printer dots per QR module in raster mode.
    public var moduleDots = 6

    public init(encoding: PrinterEncoding = .gb18030, qr: QRMode = .native) {
        self.encoding = encoding
        self.qr = qr
    }

    public func bytes(_ layout: ReceiptLayout) throws(StationError) -> [UInt8] {
        var out: [UInt8] = [0x1B, 0x40]  // ESC @: initialise
        out += encoding.select
        for row in layout.rows {
            switch row {
            case .text(let text, let align, let bold):
                out += [0x1B, 0x61, align == .center ? 1 : 0]  // ESC a n
                if bold { out += [0x1B, 0x45, 1] }  // ESC E 1
                // ReceiptLayout already stripped control characters; the encoder never adds any.
                out += try encoding.encode(text)
                if bold { out += [0x1B, 0x45, 0] }
                out.append(0x0A)
            case .rule:
                out += [0x1B, 0x61, 0] + [UInt8](repeating: UInt8(ascii: "-"), count: layout.width) + [0x0A]
            case .qr(let link):
                out += [0x1B, 0x61, 1]
                out += qr == .native ? Self.nativeQR(link) : try rasterQR(link)
                out += [0x0A, 0x1B, 0x61, 0]
            }
        }
        out += [0x1B, 0x64, 4]  // ESC d 4: feed four lines
        out += [0x1D, 0x56, 0x42, 0]  // GS V B 0: feed to the cutter and cut (partial)
        return out
    }

    /// GS ( k: model 2, module size 6, level M, store the data, print it.
    static func nativeQR(_ text: String) -> [UInt8] {
        let data = Array(text.utf8)
        func command(_ body: [UInt8]) -> [UInt8] {
            [0x1D, 0x28, 0x6B, UInt8(body.count & 0xFF), UInt8(body.count >> 8)] + body
        }
        return command([0x31, 0x41, 0x32, 0x00])  // fn 165: model 2
            + command([0x31, 0x43, 6])  // fn 167: module size
            + command([0x31, 0x45, 0x31])  // fn 169: error correction M
            + command([0x31, 0x50, 0x30] + data)  // fn 180: store
            + command([0x31, 0x51, 0x30])  // fn 181: print
    }

    /// GS v 0: the QR as a raster image, `moduleDots` dots per module, 4-module quiet zone.
    func rasterQR(_ text: String) throws(StationError) -> [UInt8] {
        let matrix: QRMatrix
        do { matrix = try QREncoder.encode(text: text, level: .medium) } catch {
            throw .badInput("cannot make the receipt's QR: \(error)")
        }
        let modules = matrix.size + 8
        let dots = modules * moduleDots
        let bytesPerRow = (dots + 7) / 8
        var out: [UInt8] = [0x1D, 0x76, 0x30, 0]
        out += [UInt8(bytesPerRow & 0xFF), UInt8(bytesPerRow >> 8), UInt8(dots & 0xFF), UInt8(dots >> 8)]
        for y in 0..<dots {
            let my = y / moduleDots - 4
            var row = [UInt8](repeating: 0, count: bytesPerRow)
            for x in 0..<dots {
                let mx = x / moduleDots - 4
                if mx >= 0, my >= 0, mx < matrix.size, my < matrix.size, matrix[mx, my] {
                    row[x / 8] |= 0x80 >> UInt8(x % 8)
                }
            }
            out += row
        }
        return out
    }
}
