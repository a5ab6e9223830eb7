import Foundation
import Imaging
import Scanning
import Testing

@testable import Station

@Suite("The receipt's printed QR")
struct PrintedQRTests {
    /// The GS v 0 raster image in ESC/POS bytes, as the printer would print it.
    static func raster(in bytes: [UInt8]) throws -> GreyImage {
        let start = try #require(bytes.firstRange(of: [0x1D, 0x76, 0x30, 0])).upperBound
        let bytesPerRow = Int(bytes[start]) | Int(bytes[start + 1]) << 8
        let rows = Int(bytes[start + 2]) | Int(bytes[start + 3]) << 8
        let data = bytes[(start + 4)...]
        var image = GreyImage(width: bytesPerRow * 8, height: rows)
        for y in 0..<rows {
            for x in 0..<(bytesPerRow * 8)
            where data[data.startIndex + y * bytesPerRow + x / 8] & (0x80 >> (x % 8)) != 0 {
                image.pixels[y * image.width + x] = 0
            }
        }
        return image
    }

    @Test("the raster QR decodes with zbar to the read-only balance link, never a coupon code")
    func rasterDecodes() throws {
        let receipt = Samples.paid
        let bytes = try ESCPOS(encoding: .cp437, qr: .raster).bytes(ReceiptLayout(receipt, width: 48))
        let symbols = try DecodePipeline(symbologies: [.qr]).decode(try Self.raster(in: bytes)).symbols
        #expect(symbols.map(\.text) == [receipt.balanceLink])
        #expect(symbols.first?.text.contains("/b/") == true)
        #expect(symbols.first?.text.contains("/c#") == false)
    }

    @Test("the native QR command carries the link with its exact length")
    func nativeCommand() throws {
        let link = try #require(Samples.paid.balanceLink)
        let bytes = ESCPOS.nativeQR(link)
        let store = try #require(bytes.firstRange(of: [0x31, 0x50, 0x30]))
        let length = Int(bytes[store.lowerBound - 2]) | Int(bytes[store.lowerBound - 1]) << 8
        #expect(length == link.utf8.count + 3)
        #expect(Array(bytes[store.upperBound..<(store.upperBound + link.utf8.count)]) == Array(link.utf8))
    }
}
