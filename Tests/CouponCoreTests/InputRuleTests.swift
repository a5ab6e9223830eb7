import CouponCore
import Testing

@Suite("The input rules every front end shares: calendar days, plain text, limits, ids")
struct InputRuleTests {
    @Test("a calendar day exists or is refused, never rolled over")
    func calendarDays() {
        #expect(CalendarDay("2028-02-29")?.description == "2028-02-29")
        #expect(CalendarDay("2000-02-29") != nil)
        for bad in [
            "2027-02-29", "1900-02-29", "2027-02-30", "2027-04-31", "2027-00-10", "2027-13-01", "2027-01-00",
            "27-01-01", "2027/01/01", "2027-01-1", " 2027-01-01", "１２３４-01-01", "1969-12-31",
        ] {
            #expect(CalendarDay(bad) == nil, "\(bad)")
        }
        #expect(CalendarDay.days(inMonth: 2, year: 2100) == 28)
    }

    @Test("plain text: trimmed, bounded, no control or format characters")
    func plainText() throws {
        #expect(try PlainText.check("  蛋糕 Cake ", field: "name", maxLength: 10) == "蛋糕 Cake")
        for bad in [
            "a\u{0}b", "line\nbreak", "tab\there", "esc\u{1B}[2J", "bidi\u{202E}x", "zero\u{200B}width", "", "   ",
        ] {
            #expect(throws: PlainTextError.self, "\(bad.debugDescription)") {
                try PlainText.check(bad, field: "name", maxLength: 200)
            }
        }
        #expect(throws: PlainTextError.self) { try PlainText.check("abcdef", field: "name", maxLength: 5) }
    }

    @Test("limits: the balance limit holds and settings stay within what sums can carry")
    func limits() throws {
        var limits = Limits()
        limits.maxBalance = 500_000
        try limits.checkBalance(Money(minorUnits: 500_000, currency: .cny))
        #expect(throws: LimitError.self) { try limits.checkBalance(Money(minorUnits: 500_001, currency: .cny)) }
        try limits.validate()
        limits.maxBalance = Limits.balanceCeiling + 1
        #expect(throws: LimitError.self) { try limits.validate() }
        limits.maxBalance = 1
        limits.maxBody = 10
        #expect(throws: LimitError.self) { try limits.validate() }
    }

    @Test("ids are 128 random bits: 100,000 of them never repeat")
    func ids() {
        var seen = Set<String>()
        for _ in 0..<100_000 { seen.insert(SecureID.make(prefix: "cpn")) }
        #expect(seen.count == 100_000)
        let id = SecureID.make(prefix: "stl")
        #expect(id.hasPrefix("stl_") && id.count == 36 && id.dropFirst(4).allSatisfy(\.isHexDigit))
        #expect(SecureID.bytes(5).count == 5)
    }
}
