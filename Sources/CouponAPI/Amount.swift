import CouponCore

/// An amount on the wire: minor units and currency, `{"amount": 30000, "currency": "CNY"}`.
public struct Amount: Codable, Sendable, Equatable {
    public var amount: Int64
    public var currency: String

    public init(amount: Int64, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    public init(_ money: Money) {
        amount = money.minorUnits
        currency = money.currency.code
    }

    /// The money this stands for, sign included (whoever reads it decides whether a sign is allowed).
    /// - Throws: ``MoneyError`` for a currency that is not ISO 4217.
    public func money() throws(MoneyError) -> Money {
        Money(minorUnits: amount, currency: try Currency(code: currency))
    }
}

/// A total over many coupons: as ``Amount``, summed in 128 bits so a report never overflows
/// (a JSON integer of up to 39 digits).
public struct Total: Codable, Sendable, Equatable {
    public var amount: Int128
    public var currency: String

    public init(amount: Int128, currency: String) {
        self.amount = amount
        self.currency = currency
    }
}
