import CouponCore
import SignedState

/// Where coupons, products, settlements and the ledger live. Routes depend on this protocol only,
/// so a second database (PostgreSQL) can follow the SQLite one without touching them.
public protocol CouponStore: ConsoleStore {
    /// Issues a coupon with a new code; the code is returned here and never again.
    func issue(initial: Money, expiresAt: Instant?, actor: String, now: Instant) async throws -> IssuedCoupon
    /// The coupon with this id, or nil.
    func coupon(id: String) async throws -> CouponRecord?
    /// The coupon whose code this is, or nil (looked up by keyed hash).
    func coupon(code: CouponCode) async throws -> CouponRecord?
    /// Adds or replaces a catalogue entry.
    func putProduct(_ product: Product) async throws
    /// Adds or replaces many catalogue entries in one transaction (all or none).
    func putProducts(_ products: [Product]) async throws
    /// Catalogue entries in code order, after `code` (for paging), at most `limit`.
    func products(after code: String?, limit: Int) async throws -> [Product]
    /// The catalogue entry for `code`, or nil.
    func product(_ code: ProductCode) async throws -> Product?
    /// Prices the basket, and when the rule approves, holds (or with `capture`, deducts) the amount
    /// in one conditional write and records the settlement and its ledger entries, all in one
    /// transaction. A decline changes nothing.
    func settle(_ request: SettleRequest, now: Instant) async throws -> SettlementOutcome
    /// Captures a held settlement, all of it or `amount`, releasing the rest. A nil station is the admin.
    /// - Throws: ``SettlementError`` (not found, another station's, not held, hold expired, too much).
    func capture(settlementID: String, amount: Money?, station: String?, now: Instant) async throws -> SettlementRecord
    /// Releases a held settlement.
    func void(settlementID: String, station: String?, now: Instant) async throws -> SettlementRecord
    /// Releases every hold whose time ran out; returns how many.
    func releaseExpiredHolds(now: Instant) async throws -> Int
    /// The settlement with this id, or nil.
    func settlement(id: String) async throws -> SettlementRecord?

    /// ``settle(_:now:)`` under an idempotency key: the first call settles and stores `render`'s
    /// response in the same transaction; a retry with the same key and request replays it, and
    /// the same key with another request throws ``IdempotencyKeyReused``.
    func settle(
        _ request: SettleRequest, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (SettlementOutcome) throws -> StoredResponse
    ) async throws -> Idempotent<SettlementOutcome>
    /// ``capture(settlementID:amount:station:now:)`` under an idempotency key. A refusal is an
    /// answer too: it is stored under the key and committed with whatever it did (a hold found
    /// expired is released in the same transaction), so a retry replays it.
    func capture(
        settlementID: String, amount: Money?, station: String?, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse
    ) async throws -> Idempotent<Result<SettlementRecord, SettlementError>>
    /// ``void(settlementID:station:now:)`` under an idempotency key; a refusal is stored as for capture.
    func void(
        settlementID: String, station: String?, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse
    ) async throws -> Idempotent<Result<SettlementRecord, SettlementError>>
    /// The response first sent under an idempotency key of `scope`, or nil when none was: how a
    /// station that lost an answer learns what its request did.
    func storedResponse(scope: String, key: String) async throws -> StoredResponse?
    /// Forgets idempotency keys older than `before`; returns how many.
    func purgeIdempotencyKeys(before: Instant) async throws -> Int
    /// A coupon's ledger, oldest first.
    func ledger(couponID: String) async throws -> [LedgerEntry]
    /// Creates an API key; the key is returned here and never again (only its hash is kept).
    func createKey(role: Principal.Role, station: String?, now: Instant) async throws -> (
        key: String, principal: Principal
    )
    /// ``createKey(role:station:now:)`` under an idempotency key when given: the answer (it holds
    /// the key) is stored sealed, and a retry gets the same key instead of a second one.
    /// `name` names an admin key's holder (the ledger's actor becomes `admin:NAME`); unique.
    func createKey(
        role: Principal.Role, station: String?, name: String?, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (String, Principal) throws -> StoredResponse
    ) async throws -> Idempotent<Principal>
    /// The principal of a presented key, or nil when the key is unknown or revoked.
    func principal(forKey key: String) async throws -> Principal?
    /// How many API keys exist (the server makes the first admin key when there are none).
    func keyCount() async throws -> Int
    /// Every coupon whose balance does not follow from its ledger or whose held amount is not the
    /// sum of its open holds; empty when all is well.
    func audit() async throws -> [AuditFinding]

    // Administration (admin keys only).

    /// Issues many coupons in one transaction (all or none); the codes are in `render`'s answer
    /// only. Under an idempotency key that answer is stored sealed (encrypted under the server
    /// secret, as it holds the codes) in the same transaction, and a retry replays it.
    func issue(
        _ requests: [IssueRequest], actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable ([IssuedCoupon]) throws -> StoredResponse
    ) async throws -> Idempotent<[IssuedCoupon]>
    /// Adds value to a coupon (not an expired one); under an idempotency key, `render`'s response
    /// is stored in the same transaction and a retry replays it.
    func load(
        couponID: String, amount: Money, reference: String, actor: String, now: Instant,
        idempotency: IdempotencyKey?, render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord>
    /// Corrects a balance up or down, never below what is held.
    func adjust(
        couponID: String, amount: Money, reason: String, actor: String, now: Instant,
        idempotency: IdempotencyKey?, render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord>
    /// Blocks (nothing can be settled) or unblocks a coupon, under an idempotency key when given.
    func setBlocked(
        couponID: String, blocked: Bool, actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord>
    /// Gives a coupon a new code; the old one stops working at once. Under an idempotency key the
    /// answer (it holds the code) is stored sealed.
    func reissue(
        couponID: String, actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (IssuedCoupon) throws -> StoredResponse
    ) async throws -> Idempotent<IssuedCoupon>
    /// Refunds lines of a captured settlement to its coupon, at the prices of the sale.
    func refund(
        settlementID: String, lines: [(code: ProductCode, quantity: Int)], actor: String, now: Instant,
        idempotency: IdempotencyKey?, render: @escaping @Sendable (SettlementRecord) throws -> StoredResponse
    ) async throws -> Idempotent<SettlementRecord>
    /// Erases a coupon's phone number (personal data, on its holder's request); the ledger records
    /// who asked and when, also when there was no number left to erase.
    func forgetPhone(
        couponID: String, actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord>
    /// Erases the phone numbers of coupons that expired, or were spent to nothing (their last
    /// ledger line), before `cutoff`; blocked coupons keep theirs. Each erasure is a ledger line.
    /// Returns how many.
    func forgetPhones(spentOrExpiredBefore cutoff: Instant, now: Instant) async throws -> Int
    /// Expires every coupon past its expiry with nothing held: its balance leaves as `expire`
    /// (breakage) in the ledger. Returns how many.
    func expireCoupons(now: Instant) async throws -> Int
    /// Every API key, without the keys themselves.
    func keys() async throws -> [KeyInfo]
    /// Revokes a key; false when it did not exist or was revoked already.
    func revokeKey(id: String, now: Instant) async throws -> Bool
    /// Open holds: how many, and the amounts held per currency.
    func openHolds() async throws -> (count: Int, amounts: [String: Int128])
    /// Outstanding balances per currency at a moment (now when nil).
    func liability(asOf: Instant?) async throws -> [String: Int128]
    /// A campaign's issued, redeemed, expired and outstanding amounts per currency.
    func campaign(_ name: String) async throws -> [CampaignReport]
    /// Totals per station between two instants.
    func daily(from: Instant, to: Instant, station: String?) async throws -> [DailyReport]
    /// Ledger lines for bookkeeping.
    func export(since: Instant, after: Int64, limit: Int) async throws -> [ExportRow]
    /// An online copy of the database at `path`, checked.
    func backup(to path: String) async throws
    /// Live coupons (not expired) per code-hash secret version: when a version holds none, its
    /// secret can be retired.
    func codeHashVersions() async throws -> [Int: Int]
    /// Claims up to `limit` pending outbox messages (oldest first) for `leaseSeconds`: two
    /// deliverers at once get different messages, and a message whose deliverer died is claimed
    /// again once its lease ends. Each holds the coupon's code, opened from its seal.
    func claimOutbox(limit: Int, leaseSeconds: Int64, now: Instant) async throws -> [OutboxMessage]
    /// Marks messages delivered; returns how many were pending (a second call changes nothing).
    func markDelivered(ids: [String], now: Instant) async throws -> Int
    /// Keeps claimed messages from being claimed again until `until` (a failed delivery's backoff).
    func deferOutbox(ids: [String], until: Instant) async throws
    /// Outbox messages waiting, for `/metrics` and `couponctl outbox status`.
    func pendingOutbox() async throws -> Int
    /// Every `offline_shortfall` line with its settlement's station and its coupon's state, oldest first.
    func offlineShortfalls() async throws -> [ShortfallRecord]
    /// Sets (nil: removes) a station's offline limit in a currency.
    func setOfflineLimit(station: String, currency: Currency, limit: OfflineLimit?) async throws
    /// A station's offline limits, one per currency.
    func offlineLimits(station: String) async throws -> [OfflineLimit]
    /// Applies a forwarded offline sale as a captured settlement (made offline, the till's time
    /// kept), under its idempotency key: once, however often it is forwarded. A balance that no
    /// longer covers it goes to zero, the rest is an `offline_shortfall` line, and the coupon is
    /// blocked for review.
    func applyOfflineSale(
        _ sale: OfflineSale, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (OfflineOutcome) throws -> StoredResponse
    ) async throws -> Idempotent<OfflineOutcome>
    /// True when the database answers now (`/readyz`, for a load balancer).
    func isReady() async -> Bool
}

/// A coupon as stored: never its code, only the last four characters.
public struct CouponRecord: Sendable, Equatable {
    public var id: String
    public var lastFour: String
    public var snapshot: CouponSnapshot
    public var campaign: String? = nil
    /// Whether a phone number is on file (the number itself is never read back out of the store).
    public var hasPhone = false
    /// A coupon that carries its balance on the phone: its newest signed state; nil for the others.
    public var signedBalance: SignedBalance? = nil
}

/// The answer to an issue: the only time the full code is seen.
public struct IssuedCoupon: Sendable {
    public var record: CouponRecord
    public var code: CouponCode
}

/// A request to settle a basket against a coupon.
public struct SettleRequest: Sendable {
    public var code: CouponCode
    public var basket: Basket
    public var station: String
    public var partial: Bool
    /// Hold and capture in one step (true), or only hold (false) for a later capture or void.
    public var capture: Bool
    /// How long a hold lasts before it is released.
    public var holdSeconds: Int64
    /// The signed state read off the phone with the code (its signature checked by the caller):
    /// the settlement says whether it was stale.
    public var presentedState: PhoneState?

    public init(
        code: CouponCode, basket: Basket, station: String, partial: Bool = false, capture: Bool = true,
        holdSeconds: Int64 = 600, presentedState: PhoneState? = nil
    ) {
        self.presentedState = presentedState
        self.code = code
        self.basket = basket
        self.station = station
        self.partial = partial
        self.capture = capture
        self.holdSeconds = holdSeconds
    }
}

/// A settlement as stored.
public struct SettlementRecord: Sendable, Equatable {
    public var id: String
    public var couponID: String
    public var station: String
    public var status: SettlementStatus
    public var lines: [PricedLine]
    public var total: Money
    /// Held (while `held`) or captured amount.
    public var charged: Money
    /// What the customer still owes (partial tender).
    public var due: Money
    public var balanceBefore: Money
    public var balanceAfter: Money
    public var holdExpiresAt: Instant?
    public var createdAt: Instant
    /// Given back to the coupon by refunds so far.
    public var refunded: Money? = nil
}

/// What a settlement request did: the rule's decision, and the settlement when it was approved.
public struct SettlementOutcome: Sendable, Equatable {
    public init(
        decision: SettlementDecision, settlement: SettlementRecord? = nil, balance: Money? = nil,
        signedBalance: SignedBalance? = nil, staleState: Bool = false
    ) {
        self.decision = decision
        self.settlement = settlement
        self.balance = balance
        self.signedBalance = signedBalance
        self.staleState = staleState
    }

    public var decision: SettlementDecision
    public var settlement: SettlementRecord?
    /// The coupon's balance when declined (unchanged), for the "not paid" slip.
    public var balance: Money?
    /// A phone-balance coupon's state after the settlement (its current one when declined).
    public var signedBalance: SignedBalance? = nil
    /// The state the station presented was older than the coupon's: the provider settled against
    /// its own balance, and ``signedBalance`` is what the phone should show.
    public var staleState = false
}

/// One append-only ledger line.
public struct LedgerEntry: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case issue, load, hold, capture, release, refund, expire, adjust, block, unblock, reissue
        /// The coupon's phone number was erased (on request, or when its retention ended).
        case forgetPhone = "forget_phone"
        /// What a forwarded offline sale took beyond the balance (two tills spent one state): the
        /// balance is unchanged by it (already zero); the coupon is blocked for review.
        case offlineShortfall = "offline_shortfall"
    }

    public var kind: Kind
    public var amount: Money
    public var balanceBefore: Money
    public var balanceAfter: Money
    public var actor: String
    public var settlementID: String?
    public var at: Instant
    /// Its place in the ledger (rising; for paging).
    public var seq: Int64 = 0
}

/// A coupon whose stored balance disagrees with its ledger, or whose held amount disagrees with
/// its open holds (all in minor units).
public struct AuditFinding: Sendable, Equatable {
    public var couponID: String
    public var stored: Int64
    public var fromLedger: Int128
    public var held: Int64
    public var openHolds: Int128
}
