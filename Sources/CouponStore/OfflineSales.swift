import CouponCore
import SignedState

/// How far a station may sell offline in one currency (phone-balance coupons only): per sale, and
/// in total per coupon per day. Offline sales are off for a station and currency with no limit.
public struct OfflineLimit: Sendable, Equatable {
    public var currency: Currency
    public var perSale: Int64
    public var perDay: Int64

    public init(currency: Currency, perSale: Int64, perDay: Int64) {
        self.currency = currency
        self.perSale = perSale
        self.perDay = perDay
    }
}

/// A sale a till made while the provider could not be reached, forwarded once it can: the till
/// priced it from its copy of the catalogue, within its limits, on a state whose signature it
/// checked. The provider applies it as a captured settlement, whatever the balance is by now.
public struct OfflineSale: Sendable {
    public var code: CouponCode
    /// The state the sale was made on (its signature checked by the caller).
    public var state: PhoneState
    public var station: String
    /// The lines at the till's prices.
    public var lines: [(product: Product, quantity: Int)]
    public var total: Money
    /// The till's clock when it sold.
    public var madeAt: Instant

    public init(
        code: CouponCode, state: PhoneState, station: String, lines: [(product: Product, quantity: Int)],
        total: Money, madeAt: Instant
    ) {
        self.code = code
        self.state = state
        self.station = station
        self.lines = lines
        self.total = total
        self.madeAt = madeAt
    }
}

extension OfflineSale {
    /// What the sale takes from `coupon` (found by the sale's code, locked): the balance before, the
    /// amount held, what is deducted (at most what is available), the shortfall and the balance after.
    /// - Throws: ``PhoneStateMismatch`` for a state of another coupon, ``OfflineSaleRefused`` for
    ///   another currency.
    func charge(on coupon: CouponRecord) throws -> (
        stale: Bool, before: Int64, held: Int64, take: Int64, shortfall: Int64, after: Int64
    ) {
        let stale = try SQLiteCouponStore.isStale(state, coupon: coupon)
        let currency = coupon.snapshot.balance.currency
        guard total.currency == currency else {
            throw OfflineSaleRefused("currency_mismatch", "the sale is in \(total.currency.code), the coupon in \(currency.code)")
        }
        let before = coupon.snapshot.balance.minorUnits, held = coupon.snapshot.held.minorUnits
        let take = max(0, min(total.minorUnits, before - held))
        return (stale, before, held, take, total.minorUnits - take, before - take)
    }
}

/// What applying a forwarded offline sale did.
public struct OfflineOutcome: Sendable, Equatable {
    public var settlement: SettlementRecord
    /// What the balance could not cover (two tills spent one state): recorded as an
    /// `offline_shortfall` ledger line, and the coupon blocked for review.
    public var shortfall: Money
    /// The sale was made on an older state than the coupon's.
    public var staleState: Bool
    /// The coupon's state after it (sent to the phone).
    public var signedBalance: SignedBalance?

    public init(settlement: SettlementRecord, shortfall: Money, staleState: Bool, signedBalance: SignedBalance?) {
        self.settlement = settlement
        self.shortfall = shortfall
        self.staleState = staleState
        self.signedBalance = signedBalance
    }
}

/// An `offline_shortfall` ledger line, explained.
public struct ShortfallRecord: Sendable, Equatable {
    public var couponID: String
    public var settlementID: String
    public var station: String
    public var amount: Money
    public var couponState: String
    public var at: Instant

    public init(
        couponID: String, settlementID: String, station: String, amount: Money, couponState: String, at: Instant
    ) {
        self.couponID = couponID
        self.settlementID = settlementID
        self.station = station
        self.amount = amount
        self.couponState = couponState
        self.at = at
    }
}

/// Why a forwarded sale cannot be applied at all.
public struct OfflineSaleRefused: Error, Sendable, Equatable, CustomStringConvertible {
    /// `unknown_coupon` or `currency_mismatch`.
    public var code: String
    public var description: String
    public init(_ code: String, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// The schema of offline sales, the same on both stores but for their types.
enum OfflineSchema {
    static let sqlite = """
        CREATE TABLE offline_limits (
            station TEXT NOT NULL,
            currency TEXT NOT NULL,
            per_sale INTEGER NOT NULL CHECK (per_sale > 0),
            per_day INTEGER NOT NULL CHECK (per_day > 0),
            PRIMARY KEY (station, currency)
        );
        ALTER TABLE settlements ADD COLUMN offline_made_at INTEGER;
        ALTER TABLE settlements ADD COLUMN shortfall INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE settlements ADD COLUMN stale_state INTEGER NOT NULL DEFAULT 0;
        """

    static let postgres = """
        CREATE TABLE offline_limits (
            station TEXT NOT NULL,
            currency TEXT NOT NULL,
            per_sale BIGINT NOT NULL CHECK (per_sale > 0),
            per_day BIGINT NOT NULL CHECK (per_day > 0),
            PRIMARY KEY (station, currency)
        );
        ALTER TABLE settlements ADD COLUMN offline_made_at BIGINT;
        ALTER TABLE settlements ADD COLUMN shortfall BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE settlements ADD COLUMN stale_state BOOLEAN NOT NULL DEFAULT false;
        """
}
