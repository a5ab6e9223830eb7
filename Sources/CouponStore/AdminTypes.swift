import CouponCore

/// One coupon to issue.
public struct IssueRequest: Sendable {
    public var initial: Money
    public var expiresAt: Instant?
    public var campaign: String?
    /// Where the coupon is sent (MMS/SMS); kept for the issuer's records, never in logs.
    public var phone: String?
    /// The patent's first embodiment: the balance goes back to the phone, signed, after every change.
    public var balanceOnPhone: Bool

    public init(
        initial: Money, expiresAt: Instant? = nil, campaign: String? = nil, phone: String? = nil,
        balanceOnPhone: Bool = false
    ) {
        self.initial = initial
        self.expiresAt = expiresAt
        self.campaign = campaign
        self.phone = phone
        self.balanceOnPhone = balanceOnPhone
    }
}

/// Why an administrative change to a coupon or settlement was refused.
public enum AdminError: Error, Sendable, Equatable, CustomStringConvertible {
    case couponNotFound
    case settlementNotFound
    case currencyMismatch(coupon: String, given: String)
    /// The change needs another state (an expired coupon cannot be loaded, say).
    case wrongState(String)
    /// An adjustment would take the balance below zero or below what is held.
    case belowHeld(balance: Money, held: Money, change: Money)
    /// A refund names a product the settlement did not sell, or more than is left to refund.
    case refundTooLarge(String)
    case emptyChange(String)

    public var code: String {
        switch self {
        case .couponNotFound: "coupon_not_found"
        case .settlementNotFound: "settlement_not_found"
        case .currencyMismatch: "currency_mismatch"
        case .wrongState: "wrong_state"
        case .belowHeld: "adjustment_too_large"
        case .refundTooLarge: "refund_too_large"
        case .emptyChange: "bad_amount"
        }
    }

    public var description: String {
        switch self {
        case .couponNotFound: "no such coupon"
        case .settlementNotFound: "no such settlement"
        case .currencyMismatch(let coupon, let given): "the coupon is in \(coupon), not \(given)"
        case .wrongState(let why): why
        case .belowHeld(let balance, let held, let change):
            "an adjustment of \(change) would leave less than the \(held) held (balance \(balance))"
        case .refundTooLarge(let why): why
        case .emptyChange(let why): why
        }
    }
}

/// An API key as listed (never the key itself).
public struct KeyInfo: Sendable, Equatable {
    public var id: String
    public var role: Principal.Role
    public var station: String?
    /// A named admin key's holder.
    public var name: String? = nil
    public var createdAt: Instant
    public var revokedAt: Instant?
}

/// Totals per currency, in minor units.
public struct CampaignReport: Sendable, Equatable {
    public var currency: String
    public var coupons: Int
    public var issued: Int128
    public var loaded: Int128
    public var adjusted: Int128
    /// Captured less refunded.
    public var redeemed: Int128
    public var expired: Int128
    public var outstanding: Int128
}

/// One station's day, in minor units of one currency.
public struct DailyReport: Sendable, Equatable {
    public var station: String
    public var currency: String
    public var settlements: Int
    public var captured: Int128
    public var refunded: Int128
    public var voided: Int
    public var expiredHolds: Int
    /// Sales made offline and forwarded, and what their coupons' balances could not cover.
    public var offline: Int = 0
    public var shortfall: Int128 = 0
}

/// A ledger line for bookkeeping.
public struct ExportRow: Sendable, Equatable {
    public var seq: Int64
    public var at: Instant
    public var couponID: String
    public var kind: String
    public var amount: Int64
    public var currency: String
    public var balanceBefore: Int64
    public var balanceAfter: Int64
    public var actor: String
    public var settlementID: String?
}
