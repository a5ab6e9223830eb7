import CouponCore

/// Where coupons, products, settlements and the ledger live. Routes depend on this protocol only,
/// so a second database (PostgreSQL) can follow the SQLite one without touching them.
public protocol CouponStore: Sendable {
    /// Issues a coupon with a new code; the code is returned here and never again.
    func issue(initial: Money, expiresAt: Instant?, actor: String, now: Instant) async throws -> IssuedCoupon
    /// The coupon with this id, or nil.
    func coupon(id: String) async throws -> CouponRecord?
    /// The coupon whose code this is, or nil (looked up by keyed hash).
    func coupon(code: CouponCode) async throws -> CouponRecord?
    /// Adds or replaces a catalogue entry.
    func putProduct(_ product: Product) async throws
    /// The catalogue entry for `code`, or nil.
    func product(_ code: ProductCode) async throws -> Product?
    /// Prices `basket`, and when the rule approves, deducts in one conditional write and records
    /// the settlement and its ledger entry, all in one transaction. A decline changes nothing.
    func settle(code: CouponCode, basket: Basket, station: String, partial: Bool, now: Instant) async throws
        -> SettlementOutcome
    /// A coupon's ledger, oldest first.
    func ledger(couponID: String) async throws -> [LedgerEntry]
    /// Every coupon whose balance does not equal the sum of its ledger; empty when all is well.
    func audit() async throws -> [AuditFinding]
}

/// A coupon as stored: never its code, only the last four characters.
public struct CouponRecord: Sendable, Equatable {
    public var id: String
    public var lastFour: String
    public var snapshot: CouponSnapshot
}

/// The answer to an issue: the only time the full code is seen.
public struct IssuedCoupon: Sendable {
    public var record: CouponRecord
    public var code: CouponCode
}

/// What a settlement did.
public struct SettlementOutcome: Sendable, Equatable {
    public var id: String?
    public var decision: SettlementDecision
    public var balanceBefore: Money?
    public var balanceAfter: Money?
}

/// One append-only ledger line.
public struct LedgerEntry: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case issue, load, hold, capture, release, refund, expire, adjust, block, unblock, reissue
    }

    public var kind: Kind
    public var amount: Money
    public var balanceBefore: Money
    public var balanceAfter: Money
    public var actor: String
    public var settlementID: String?
    public var at: Instant
}

/// A coupon whose stored balance disagrees with its ledger.
public struct AuditFinding: Sendable, Equatable {
    public var couponID: String
    public var stored: Int64
    public var fromLedger: Int64
}
