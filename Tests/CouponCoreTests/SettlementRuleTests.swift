import CouponCore
import Testing

@Suite("The settlement rule of the patent")
struct SettlementRuleTests {
    static let cake = try! Product(
        code: ProductCode("6901234567892"), name: "Cake", price: Money(parsing: "100.00", currency: .cny))
    static let gift = try! Product(
        code: ProductCode("GIFT-250"), name: "Gift box", price: Money(parsing: "250.00", currency: .cny))
    static let catalog: [ProductCode: Product] = [cake.code: cake, gift.code: gift]
    static let now = Instant(secondsSince1970: 1_800_000_000)

    static func coupon(_ balance: String, held: String = "0", state: CouponState = .active, expires: Instant? = nil)
        throws -> CouponSnapshot
    {
        CouponSnapshot(
            state: state, balance: try Money(parsing: balance, currency: .cny),
            held: try Money(parsing: held, currency: .cny),
            expiresAt: expires)
    }

    func decide(_ coupon: CouponSnapshot?, _ lines: [(String, Int)], partial: Bool = false) throws -> SettlementDecision
    {
        try SettlementRule.decide(
            coupon: coupon, basket: try Basket(lines.map { (code: $0.0, quantity: $0.1) }),
            catalog: { Self.catalog[$0] },
            now: Self.now, partial: partial)
    }

    @Test("300.00 coupon, a 100.00 cake by EAN-13: approved, 200.00 left; 250.00 declined")
    func patentExample() throws {
        guard
            case .approved(let lines, let total, let charged, let due) = try decide(
                try Self.coupon("300.00"), [("6901234567892", 1)])
        else { Issue.record("expected approval"); return }
        #expect(lines.first?.product.name == "Cake")
        #expect(total.formatted == "100.00" && charged.formatted == "100.00" && due.minorUnits == 0)
        let after = try Self.coupon("200.00")
        #expect(
            try decide(after, [("GIFT-250", 1)])
                == .declined(
                    .insufficientBalance(
                        available: try Money(parsing: "200", currency: .cny),
                        requested: try Money(parsing: "250", currency: .cny))))
        // The same cake as its GTIN-14 form prices the same.
        guard case .approved(_, let again, _, _) = try decide(after, [("06901234567892", 2)]) else {
            Issue.record("approve"); return
        }
        #expect(again.formatted == "200.00")
    }

    @Test func holdsReduceWhatCanBeSpent() throws {
        let coupon = try Self.coupon("300.00", held: "250.00")
        guard case .declined(.insufficientBalance) = try decide(coupon, [("6901234567892", 1)]) else {
            Issue.record("expected decline"); return
        }
    }

    @Test func declineReasons() throws {
        #expect(try decide(nil, [("6901234567892", 1)]) == .declined(.unknownCoupon))
        #expect(try decide(try Self.coupon("300", state: .blocked), [("6901234567892", 1)]) == .declined(.blocked))
        #expect(try decide(try Self.coupon("300", state: .expired), [("6901234567892", 1)]) == .declined(.expired))
        #expect(try decide(try Self.coupon("300", expires: Self.now), [("6901234567892", 1)]) == .declined(.expired))
        let unknown = try decide(try Self.coupon("300"), [("6901234567892", 1), ("NOPE", 1), ("4006381333931", 1)])
        #expect(unknown == .declined(.unknownProduct([try ProductCode("NOPE"), try ProductCode("4006381333931")])))
        let usd = CouponSnapshot(
            state: .active, balance: Money(minorUnits: 99999, currency: .usd), held: .zero(.usd), expiresAt: nil)
        #expect(try decide(usd, [("6901234567892", 1)]) == .declined(.currencyMismatch(coupon: .usd, basket: .cny)))
    }

    @Test func partialTenderChargesWhatIsThere() throws {
        guard
            case .approved(_, let total, let charged, let due) = try decide(
                try Self.coupon("200.00"), [("GIFT-250", 1)], partial: true)
        else { Issue.record("expected partial approval"); return }
        #expect(total.formatted == "250.00" && charged.formatted == "200.00" && due.formatted == "50.00")
        guard case .declined = try decide(try Self.coupon("0"), [("GIFT-250", 1)], partial: true) else {
            Issue.record("nothing to charge"); return
        }
    }

    @Test func totalsThatOverflowAreRefused() throws {
        let huge = Product(
            code: try ProductCode("HUGE"), name: "Huge", price: Money(minorUnits: .max / 2, currency: .cny))
        #expect(throws: MoneyError.overflow) {
            try SettlementRule.decide(
                coupon: try Self.coupon("1"), basket: try Basket([("HUGE", 3)]),
                catalog: { $0 == huge.code ? huge : nil },
                now: Self.now)
        }
    }
}
