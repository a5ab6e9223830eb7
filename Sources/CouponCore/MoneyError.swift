/// Why an amount could not be read or computed.
public enum MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCurrency(String)
    case malformed(String)
    case tooManyDecimals(String, allowed: Int)
    case negative(String)
    case overflow
    case currencyMismatch(Currency, Currency)

    public var description: String {
        switch self {
        case .unknownCurrency(let code):
            "unknown currency '\(code)' (use an ISO 4217 code such as CNY, USD, EUR or JPY)"
        case .malformed(let text): "'\(text)' is not an amount (write it like 300.00)"
        case .tooManyDecimals(let text, let allowed):
            "'\(text)' has more decimals than the currency allows (\(allowed))"
        case .negative(let text): "'\(text)' is negative; amounts here must be zero or more"
        case .overflow: "the amount is too large"
        case .currencyMismatch(let a, let b): "cannot combine \(a) with \(b)"
        }
    }
}
