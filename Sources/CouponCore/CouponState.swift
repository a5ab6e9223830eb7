/// A coupon's lifecycle state.
public enum CouponState: String, Sendable, Codable, CaseIterable {
    case active
    case blocked
    case expired
}

/// What the settlement rule needs to know of a coupon at one moment.
public struct CouponSnapshot: Sendable, Equatable {
    public var state: CouponState
    public var balance: Money
    /// The sum of open holds (authorisations not yet captured, voided or expired).
    public var held: Money
    /// When the coupon stops being spendable, by the server's clock; nil for never.
    public var expiresAt: Instant?

    public init(state: CouponState, balance: Money, held: Money, expiresAt: Instant?) {
        self.state = state
        self.balance = balance
        self.held = held
        self.expiresAt = expiresAt
    }

    /// Balance less open holds: what can be spent now.
    public var available: Money { Money(minorUnits: balance.minorUnits - held.minorUnits, currency: balance.currency) }
}

/// A moment in UTC, in whole seconds since 1970: the store's and the rule's one notion of time.
public struct Instant: Sendable, Hashable, Comparable, Codable {
    public let secondsSince1970: Int64

    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    public static func < (a: Instant, b: Instant) -> Bool { a.secondsSince1970 < b.secondsSince1970 }
}
