import CouponCore
import Foundation
import Testing

@testable import Station

/// A paid receipt and a "not paid" slip with a Chinese product name, fixed in time.
enum Samples {
    static func cny(_ text: String) -> Money { try! Money(parsing: text, currency: .cny) }

    static var paid: Receipt {
        var receipt = Receipt(
            kind: .paid, shop: "甜品店 Sweet Bakery", station: "till-1", at: "2026-11-25 14:03:12",
            couponLastFour: "7QF2")
        receipt.lines = [
            .init(
                name: "生日蛋糕 Birthday cake", code: "06901234567892", quantity: 1, unitPrice: cny("100.00"),
                total: cny("100.00")),
            .init(name: "Candles", code: "00012345678905", quantity: 12, unitPrice: cny("0.50"), total: cny("6.00")),
        ]
        receipt.total = cny("106.00")
        receipt.charged = cny("106.00")
        receipt.due = cny("0.00")
        receipt.balanceBefore = cny("300.00")
        receipt.balanceAfter = cny("194.00")
        receipt.settlementID = "stl_0123456789abcdef0123"
        receipt.balanceLink = "https://cpn.example/b/stl_0123456789abcdef0123.00112233445566778899aabbccddeeff"
        return receipt
    }

    static var notPaid: Receipt {
        var slip = Receipt(
            kind: .notPaid, shop: "甜品店 Sweet Bakery", station: "till-1", at: "2026-11-25 14:05:40",
            couponLastFour: "7QF2")
        slip.reason = "insufficient balance: 250.00 CNY requested, 200.00 CNY available"
        slip.balanceAfter = cny("200.00")
        return slip
    }
}

@Suite("Receipts: text by display width and ESC/POS, against golden files")
struct ReceiptTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Compares with the golden file; `UPDATE_GOLDEN=1` rewrites it instead.
    func check(_ bytes: [UInt8], _ name: String) throws {
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(bytes).write(to: url)
            return
        }
        let expected = try [UInt8](Data(contentsOf: url))
        #expect(bytes == expected, "\(name) differs from its golden file")
    }

    @Test("text receipts at 32, 42 and 48 columns", arguments: ReceiptLayout.widths)
    func text(width: Int) throws {
        let layout = ReceiptLayout(Samples.paid, width: width)
        try check(Array(layout.text.utf8), "paid-\(width).txt")
        for line in layout.text.split(separator: "\n") {
            #expect(DisplayWidth.of(String(line)) <= width, "'\(line)' is wider than \(width)")
        }
        // Amounts line up at the right edge, whatever the width of the names before them.
        let amounts = layout.text.split(separator: "\n").filter { $0.hasSuffix("100.00") || $0.hasSuffix("6.00") }
        #expect(amounts.count >= 3)
        #expect(amounts.allSatisfy { DisplayWidth.of(String($0)) == width })
        try check(Array(ReceiptLayout(Samples.notPaid, width: width).text.utf8), "not-paid-\(width).txt")
    }

    @Test("the receipt says what the patent's story needs: lines, total, charged, balances, last 4 only")
    func contents() {
        let text = ReceiptLayout(Samples.paid, width: 42).text
        for needle in ["生日蛋糕 Birthday cake", "12 x 0.50", "106.00", "****7QF2", "300.00", "194.00", "PAID"] {
            #expect(text.contains(needle), "missing \(needle)")
        }
        let slip = ReceiptLayout(Samples.notPaid, width: 42).text
        #expect(slip.contains("NOT PAID"))
        #expect(slip.contains("Balance (unchanged)"))
        #expect(!slip.contains("\nPAID"))
    }

    @Test("ESC/POS in GB18030 with the printer's QR command, and in CP437 with a raster QR")
    func escpos() throws {
        let layout = ReceiptLayout(Samples.paid, width: 48)
        let chinese = try ESCPOS(encoding: .gb18030, qr: .native).bytes(layout)
        try check(chinese, "paid-48-gb18030-native.escpos")
        #expect(Array(chinese.prefix(4)) == [0x1B, 0x40, 0x1C, 0x26])  // init, Chinese mode
        #expect(Array(chinese.suffix(4)) == [0x1D, 0x56, 0x42, 0])  // cut
        // 蛋 in GB18030 is B5 B0.
        #expect(chinese.indices.contains { chinese[$0] == 0xB5 && chinese[$0 + 1] == 0xB0 })
        #expect(chinese.contains(0x1D) && chinese.firstRange(of: [0x1D, 0x28, 0x6B]) != nil)

        let western = try ESCPOS(encoding: .cp437, qr: .raster).bytes(layout)
        try check(western, "paid-48-cp437-raster.escpos")
        #expect(western.firstRange(of: [0x1D, 0x76, 0x30, 0]) != nil)  // GS v 0 raster
        #expect(western.firstRange(of: [0x1D, 0x28, 0x6B]) == nil)
    }

    @Test("a product name cannot send printer commands")
    func controlCharacters() throws {
        var hostile = Samples.paid
        hostile.lines[1].name = "Candles\u{1B}@\u{1D}V\u{42}\u{0}\u{1B}p\u{0}\u{19}\u{FA}"  // init, cut, open drawer
        var clean = Samples.paid
        clean.lines[1].name = "Candles @ VB  p  \u{FA}"
        for encoding in PrinterEncoding.allCases {
            let printer = ESCPOS(encoding: encoding, qr: .native)
            #expect(
                try printer.bytes(ReceiptLayout(hostile, width: 42)) == printer.bytes(ReceiptLayout(clean, width: 42)))
        }
        #expect(!ReceiptLayout(hostile, width: 42).text.contains("\u{1B}"))
    }

    @Test("display width: CJK two columns, combining marks none")
    func displayWidth() {
        #expect(DisplayWidth.of("Cake") == 4)
        #expect(DisplayWidth.of("蛋糕") == 4)
        #expect(DisplayWidth.of("ｶｹｰｷ") == 4)  // half-width katakana
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.wrap("蛋糕蛋糕蛋", columns: 4) == ["蛋糕", "蛋糕", "蛋"])
        #expect(DisplayWidth.wrap("insufficient balance here", columns: 14) == ["insufficient", "balance here"])
    }
}
