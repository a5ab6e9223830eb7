/// The provider's limits, as policy: what a coupon may hold and how much one request may carry.
/// Every sum the server reports is taken in 128 bits, so within these limits no report, metric
/// or audit can overflow, however many coupons there are.
///
/// ```swift
/// var limits = Limits()
/// limits.maxBalance = 500_000          // 5,000.00 CNY, the PBOC cap for an unnamed prepaid card
/// try limits.checkBalance(Money(minorUnits: 600_000, currency: .cny))   // throws
/// ```
public struct Limits: Sendable, Equatable {
    /// No configuration may set a balance limit above this (10^15 minor units): balance plus
    /// held plus any one change then stays far inside 64 bits.
    public static let balanceCeiling: Int64 = 1_000_000_000_000_000

    /// The most a coupon may hold after an issue, load, adjustment or refund, in minor units
    /// (default 100,000,000: 1,000,000.00 in a currency with two decimals).
    public var maxBalance: Int64 = 100_000_000
    /// The most a product may cost, in minor units (a basket may be paid in part by a coupon).
    public var maxPrice: Int64 = 1_000_000_000_000
    /// The most coupons one batch issue may make.
    public var maxBatch = 10_000
    /// The largest JSON body of an ordinary request (bytes).
    public var maxBody = 64 * 1024
    /// The largest settlement or refund body (bytes): a basket of many lines.
    public var maxBasketBody = 1 << 20
    /// The largest batch-issue or catalogue-import body (bytes).
    public var maxBulkBody = 16 << 20

    public init() {}

    /// Throws when a coupon would hold more than ``maxBalance``.
    public func checkBalance(_ balance: Money) throws(LimitError) {
        guard balance.minorUnits <= maxBalance else {
            throw .balance(limit: Money(minorUnits: maxBalance, currency: balance.currency), would: balance)
        }
    }

    /// Throws when a setting is outside what the server can honour.
    public func validate() throws(LimitError) {
        guard (1...Self.balanceCeiling).contains(maxBalance) else {
            throw .setting("the balance limit must be 1 to \(Self.balanceCeiling) minor units")
        }
        guard (1...Self.balanceCeiling).contains(maxPrice) else {
            throw .setting("the price limit must be 1 to \(Self.balanceCeiling) minor units")
        }
        guard (1...100_000).contains(maxBatch) else { throw .setting("the batch limit must be 1 to 100000") }
        for (name, value) in [("body", maxBody), ("basket body", maxBasketBody), ("bulk body", maxBulkBody)] {
            guard (1024...(256 << 20)).contains(value) else {
                throw .setting("the \(name) limit must be 1 KiB to 256 MiB")
            }
        }
    }
}

/// A request beyond a ``Limits`` value, or a limit set out of range.
public enum LimitError: Error, Sendable, Equatable, CustomStringConvertible {
    case balance(limit: Money, would: Money)
    case price(limit: Money, given: Money)
    case setting(String)

    public var description: String {
        switch self {
        case .balance(let limit, let would): "a coupon may hold at most \(limit); this would make it \(would)"
        case .price(let limit, let given): "a price may be at most \(limit), not \(given)"
        case .setting(let why): why
        }
    }
}
