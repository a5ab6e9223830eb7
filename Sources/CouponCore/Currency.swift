/// An ISO 4217 currency with the number of digits after the decimal point in its minor unit.
public struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The three-letter code, upper case: `CNY`.
    public let code: String
    /// Digits of the minor unit: 2 for CNY, USD and EUR (fen, cents), 0 for JPY.
    public let exponent: Int

    /// The currencies the system knows; an unknown code is refused rather than guessed.
    public static let known: [String: Int] = [
        "CNY": 2, "USD": 2, "EUR": 2, "GBP": 2, "HKD": 2, "TWD": 2, "SGD": 2, "CHF": 2, "AUD": 2, "CAD": 2,
        "JPY": 0, "KRW": 0, "VND": 0, "KWD": 3, "BHD": 3,
    ]

    /// The currency with this ISO code (any case).
    /// - Throws: ``MoneyError/unknownCurrency(_:)``.
    public init(code: String) throws(MoneyError) {
        let upper = code.uppercased()
        guard let exponent = Currency.known[upper] else { throw .unknownCurrency(code) }
        self.code = upper
        self.exponent = exponent
    }

    public static let cny = try! Currency(code: "CNY")
    public static let usd = try! Currency(code: "USD")
    public static let eur = try! Currency(code: "EUR")
    public static let jpy = try! Currency(code: "JPY")

    public var description: String { code }

    /// 10 to the power of the exponent: minor units per major unit.
    public var minorPerMajor: Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    public init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        try self.init(code: code)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
