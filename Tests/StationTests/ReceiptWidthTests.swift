import CouponCore
import Foundation
import Testing

@testable import Station

/// Every receipt line fits its paper as a printer in Chinese mode counts it (GB18030: one column
/// per ASCII byte, two per Chinese character or symbol), and ids and links are broken only
/// between their parts.
@Suite("Receipt widths as the printer counts them; ids and links unbroken within a part")
struct ReceiptWidthTests {
    /// Columns a printer in Chinese character mode uses for `line`.
    static func printerColumns(_ line: String) throws -> Int {
        var columns = 0
        for character in line {
            let bytes = try PrinterEncoding.gb18030.encode(String(character))
            columns += bytes.count == 1 ? 1 : 2
        }
        return columns
    }

    static var long: Receipt {
        var receipt = Samples.paid
        receipt.shop = "甜品店 Sweet Bakery 朝阳区建国路八十八号分店"
        receipt.lines[0].name = "生日蛋糕（双层，巧克力慕斯，含蜡烛和贺卡）Birthday cake, two layers"
        receipt.settlementID = "stl_df0da22e9138279dc3d6ea50bdd86391"
        receipt.balanceLink =
            "https://coupons.example.com/b/stl_df0da22e9138279dc3d6ea50bdd86391.78cf045c952369f858cc523201d2728a"
        return receipt
    }

    @Test("every line fits at 32, 42 and 48 columns in GB18030", arguments: ReceiptLayout.widths)
    func fits(width: Int) throws {
        for receipt in [Self.long, Samples.notPaid, Samples.paid] {
            let layout = ReceiptLayout(receipt, width: width)
            for row in layout.rows {
                guard case .text(let line, _, _) = row else { continue }
                #expect(try Self.printerColumns(line) <= width, "'\(line)' is wider than \(width) on the printer")
            }
            for line in layout.text.split(separator: "\n") {
                #expect(try Self.printerColumns(String(line)) <= width, "'\(line)' is wider than \(width)")
            }
        }
    }

    @Test("the settlement id and the balance link break only after a separator", arguments: ReceiptLayout.widths)
    func tokens(width: Int) throws {
        let receipt = Self.long
        let lines = ReceiptLayout(receipt, width: width).text.split(separator: "\n").map(String.init)
        let id = try #require(receipt.settlementID)
        if !lines.contains("Settlement " + id) {
            let start = try #require(lines.firstIndex(of: "Settlement"), "\(lines)")
            try Self.expectUnbroken(id, in: lines, from: start + 1, width: width)
        }
        let link = try #require(receipt.balanceLink)
        let start = try #require(lines.firstIndex { link.hasPrefix($0) && $0.hasPrefix("https://") }, "\(lines)")
        try Self.expectUnbroken(link, in: lines, from: start, width: width)
    }

    /// `token` is `lines` from `start` on, joined, and each break is at a separator.
    static func expectUnbroken(_ token: String, in lines: [String], from start: Int, width: Int) throws {
        var joined = ""
        var index = start
        while joined.count < token.count, index < lines.count {
            let line = lines[index]
            joined += line
            if joined.count < token.count, index + 1 < lines.count {
                let atSeparator =
                    "/._-?=&".contains(line.last ?? " ") || "/._-?=&".contains(lines[index + 1].first ?? " ")
                #expect(atSeparator, "'\(line)' | '\(lines[index + 1])' splits a part of \(token) at \(width)")
            }
            index += 1
        }
        #expect(joined == token)
    }

    @Test("the coupon is masked with ASCII, an expired coupon's slip says so, an unknown station is left out")
    func slips() {
        let paid = ReceiptLayout(Samples.paid, width: 32).text
        #expect(paid.contains("****7QF2") && !paid.contains("…"))
        var expired = Samples.notPaid
        expired.reason = "this coupon has expired"
        expired.reasonCode = "expired"
        expired.balanceAfter = Samples.cny("0.00")
        let slip = ReceiptLayout(expired, width: 42).text
        #expect(slip.contains("Balance after expiry") && !slip.contains("unchanged"), "\(slip)")
        var unnamed = Samples.notPaid
        unnamed.station = ""
        let anonymous = ReceiptLayout(unnamed, width: 42).text
        #expect(!anonymous.contains("Station"), "\(anonymous)")
        #expect(anonymous.contains(unnamed.at))
    }

    @Test("a token is cut between its parts, or at the edge when one part is wider than the line")
    func wrapToken() {
        #expect(DisplayWidth.wrapToken("stl_0123456789", columns: 8) == ["stl_", "01234567", "89"])
        #expect(DisplayWidth.wrapToken("stl_01234567.abc", columns: 8) == ["stl_", "01234567", ".abc"])
        #expect(DisplayWidth.wrapToken("a/b/c", columns: 10) == ["a/b/c"])
        #expect(DisplayWidth.wrapToken("https://x.example/b/abc", columns: 12) == ["https://x.", "example/b/", "abc"])
        #expect(DisplayWidth.wrapToken("", columns: 5) == [""])
    }
}
