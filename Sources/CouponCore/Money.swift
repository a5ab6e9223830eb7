/// An amount of money: whole minor units (fen, cents, yen) in an `Int64`, with its currency.
/// Never a floating-point number.
///
/// ```swift
/// let price = try Money(parsing: "100.00", currency: .cny)   // 10000 fen
/// price.formatted   // "100.00"
/// ```
public struct Money: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Parses a decimal amount such as `300`, `300.5` or `300.00` in the currency's major unit.
    /// - Parameter allowNegative: accept a leading `-` (adjustments); off by default.
    /// - Throws: ``MoneyError`` for malformed text, too many decimals, a negative amount or overflow.
    public init(parsing text: String, currency: Currency, allowNegative: Bool = false) throws(MoneyError) {
        var body = Substring(text.trimmingWhitespace)
        var negative = false
        if body.first == "-" {
            guard allowNegative else { throw .negative(text) }
            negative = true
            body = body.dropFirst()
        } else if body.first == "+" {
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else {
            throw .malformed(text)
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else { throw .malformed(text) }
        guard fraction.count <= currency.exponent else { throw .tooManyDecimals(text, allowed: currency.exponent) }
        var units: Int64 = 0
        for digit in whole + fraction + String(repeating: "0", count: currency.exponent - fraction.count) {
            let (times, o1) = units.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(digit.asciiValue! - 48))
            guard !o1, !o2 else { throw .overflow }
            units = plus
        }
        self.init(minorUnits: negative ? -units : units, currency: currency)
    }

    /// The amount in major units with the currency's decimals: `300.00`, `-5.50`, `1200` (JPY).
    public var formatted: String { Self.format(minorUnits: Int128(minorUnits), exponent: currency.exponent) }

    public var description: String { "\(formatted) \(currency.code)" }

    /// Minor units (an amount, or a 128-bit report total) in major units with `exponent` decimals: `12345.60`.
    public static func format(minorUnits: Int128, exponent: Int) -> String {
        let sign = minorUnits < 0 ? "-" : ""
        let digits = String(minorUnits.magnitude)
        guard exponent > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        return sign + padded.dropLast(exponent) + "." + padded.suffix(exponent)
    }

    /// The sum, or an error on a currency mismatch or overflow.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: sum, currency: currency)
    }

    /// The difference, or an error on a currency mismatch or overflow.
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
        let (difference, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: difference, currency: currency)
    }

    /// This amount times a count, or an error on overflow.
    public func multiplied(by count: Int) throws(MoneyError) -> Money {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: Int64(count))
        guard !overflow else { throw .overflow }
        return Money(minorUnits: product, currency: currency)
    }

    /// Orders amounts of one currency; amounts of different currencies order by currency code.
    public static func < (a: Money, b: Money) -> Bool {
        a.currency == b.currency ? a.minorUnits < b.minorUnits : a.currency.code < b.currency.code
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
