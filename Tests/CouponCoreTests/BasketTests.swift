import CouponCore
import Testing

@Suite("Product codes and baskets")
struct BasketTests {
    @Test func gtinFormsOfOneItemAreOneProduct() throws {
        let upca = try ProductCode("036000291452")
        #expect(upca.value == "00036000291452" && upca.isGTIN)
        #expect(try ProductCode("0036000291452") == upca)
        #expect(try ProductCode("00036000291452") == upca)
        #expect(try ProductCode("12345670").value == "00000012345670")
        #expect(try ProductCode(upce: "01234565") == ProductCode("012345000065"))
        // A bad check digit is not a GTIN: kept as an internal code, so it cannot price a real product.
        let typo = try ProductCode("036000291453")
        #expect(!typo.isGTIN && typo.value == "036000291453")
        #expect(try ProductCode("CAKE-01").value == "CAKE-01")
        for bad in ["", "   ", "has space", String(repeating: "9", count: 49), "tab\there"] {
            #expect(throws: BasketError.self, "\(bad)") { try ProductCode(bad) }
        }
    }

    @Test func basketsMergeAndValidate() throws {
        let basket = try Basket([("6901234567892", 1), ("CAKE", 2), ("06901234567892", 2)])
        #expect(basket.lines.count == 2)
        #expect(basket.lines[0].quantity == 3 && basket.lines[0].product.value == "06901234567892")
        #expect(throws: BasketError.empty) { try Basket([]) }
        #expect(throws: BasketError.badQuantity(code: "X", quantity: 0)) { try Basket([("X", 0)]) }
        #expect(throws: BasketError.badQuantity(code: "X", quantity: -2)) { try Basket([("X", -2)]) }
        #expect(throws: BasketError.badQuantity(code: "X", quantity: 1000)) { try Basket([("X", 1000)]) }
        #expect(throws: BasketError.badQuantity(code: "X", quantity: 1000)) { try Basket([("X", 600), ("X", 400)]) }
    }
}
