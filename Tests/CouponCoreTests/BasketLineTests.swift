import CouponCore
import Testing

@Suite("Basket lines: one parser and one merge for the till, settle and refund")
struct BasketLineTests {
    @Test("CODE, CODExQTY, CODEXQTY and CODE*QTY; the same errors for every program")
    func parsing() throws {
        #expect(try BasketLine(parsing: "6901234567892") == BasketLine(code: "6901234567892", quantity: 1))
        #expect(try BasketLine(parsing: " 6901234567892x2 ") == BasketLine(code: "6901234567892", quantity: 2))
        #expect(try BasketLine(parsing: "6901234567892X3") == BasketLine(code: "6901234567892", quantity: 3))
        #expect(try BasketLine(parsing: "GIFT-250*999") == BasketLine(code: "GIFT-250", quantity: 999))
        // An internal code may end in x: without digits after it, the x is part of the code.
        #expect(try BasketLine(parsing: "BOX") == BasketLine(code: "BOX", quantity: 1))
        #expect(throws: BasketError.badQuantity(code: "6901234567892", quantity: 0)) {
            try BasketLine(parsing: "6901234567892x0")
        }
        #expect(throws: BasketError.badQuantity(code: "6901234567892", quantity: 1000)) {
            try BasketLine(parsing: "6901234567892*1000")
        }
        #expect(throws: BasketError.self) { try BasketLine(parsing: "") }
        #expect(throws: BasketError.self) { try BasketLine(parsing: "café") }
    }

    @Test("lines of one product merge as the provider merges them: UPC-A, EAN-13 and GTIN-14 are one")
    func merging() throws {
        let merged = try BasketLine.merge([
            BasketLine(code: "036000291452", quantity: 2),  // UPC-A
            BasketLine(code: "GIFT-250", quantity: 1),
            BasketLine(code: "0036000291452", quantity: 3),  // the same item as EAN-13
            BasketLine(code: "00036000291452", quantity: 4),  // and as GTIN-14
        ])
        #expect(merged == [BasketLine(code: "036000291452", quantity: 9), BasketLine(code: "GIFT-250", quantity: 1)])
        // The cap applies to the product, not to each spelling of its code.
        #expect(throws: BasketError.badQuantity(code: "036000291452", quantity: 1000)) {
            try BasketLine.merge([
                BasketLine(code: "036000291452", quantity: 500), BasketLine(code: "0036000291452", quantity: 500),
            ])
        }
        // The merge agrees with the server's Basket.
        let basket = try Basket(merged.map { (code: $0.code, quantity: $0.quantity) })
        #expect(basket.lines.map(\.quantity) == merged.map(\.quantity))
    }
}
