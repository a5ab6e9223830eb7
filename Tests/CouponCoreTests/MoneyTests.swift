import CouponCore
import Testing

@Suite("Money: integer minor units with a currency")
struct MoneyTests {
    @Test func parsesAndPrints() throws {
        #expect(try Money(parsing: "300.00", currency: .cny).minorUnits == 30000)
        #expect(try Money(parsing: "300", currency: .cny).minorUnits == 30000)
        #expect(try Money(parsing: "0.5", currency: .usd).minorUnits == 50)
        #expect(try Money(parsing: " 12.34 ", currency: .eur).formatted == "12.34")
        #expect(try Money(parsing: "1200", currency: .jpy).formatted == "1200")
        #expect(try Money(parsing: "-5.5", currency: .cny, allowNegative: true).formatted == "-5.50")
        #expect(Money(minorUnits: 7, currency: .cny).formatted == "0.07")
        #expect(Money(minorUnits: 20000, currency: .cny).description == "200.00 CNY")
    }

    @Test func rejectsBadAmounts() {
        #expect(throws: MoneyError.tooManyDecimals("1.001", allowed: 2)) { try Money(parsing: "1.001", currency: .cny) }
        #expect(throws: MoneyError.tooManyDecimals("1.5", allowed: 0)) { try Money(parsing: "1.5", currency: .jpy) }
        #expect(throws: MoneyError.negative("-1")) { try Money(parsing: "-1", currency: .cny) }
        #expect(throws: MoneyError.overflow) { try Money(parsing: "99999999999999999999", currency: .cny) }
        for bad in ["", "abc", "1.2.3", "1,00", ".5", "5.", "1e3", "--1", "0x10"] {
            #expect(throws: MoneyError.self, "\(bad)") { try Money(parsing: bad, currency: .cny) }
        }
        #expect(throws: MoneyError.unknownCurrency("XYZ")) { try Currency(code: "XYZ") }
    }

    @Test func arithmeticChecksCurrencyAndOverflow() throws {
        let a = Money(minorUnits: 100, currency: .cny)
        #expect(try a.adding(a).minorUnits == 200)
        #expect(throws: MoneyError.currencyMismatch(.cny, .usd)) { try a.adding(Money(minorUnits: 1, currency: .usd)) }
        #expect(throws: MoneyError.overflow) { try Money(minorUnits: .max, currency: .cny).adding(a) }
        #expect(throws: MoneyError.overflow) { try Money(minorUnits: .max / 2, currency: .cny).multiplied(by: 3) }
    }
}

@Suite("Report totals in 128 bits")
struct WideTotalTests {
    @Test("totals past 64 bits are written exactly in major units")
    func format() {
        #expect(Money.format(minorUnits: 10_000_000_000_000_000_000, exponent: 2) == "100000000000000000.00")
        #expect(Money.format(minorUnits: 5, exponent: 2) == "0.05")
        #expect(Money.format(minorUnits: -1234, exponent: 2) == "-12.34")
        #expect(Money.format(minorUnits: 1200, exponent: 0) == "1200")
        #expect(Money.format(minorUnits: 0, exponent: 3) == "0.000")
    }
}
