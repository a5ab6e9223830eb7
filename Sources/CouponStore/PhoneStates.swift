import CouponCore
import SignedState

/// What a store needs to keep the balance of a "balance on the phone" coupon on its phone: the
/// provider's state keys. Inside the transaction of every change to such a coupon the store signs
/// its next state (the available balance, a sequence one higher) and writes it to the outbox, so
/// the state, the ledger and the message to the phone commit together or not at all.
public struct PhoneStates: Sendable {
    public let ring: KeyRing

    public init(ring: KeyRing) { self.ring = ring }

    /// The signed state of a coupon with `available` left, at `sequence`.
    func sign(couponID: String, available: Money, expiresAt: Instant?, sequence: UInt32, now: Instant) throws
        -> SignedBalance
    {
        guard let key = ring.active else { throw StoreError(kind: .noStateKey) }
        let state = PhoneState(
            couponID: couponID, balance: available, expiresAt: expiresAt, sequence: sequence, signedAt: now,
            keyID: key.id)
        return SignedBalance(sequence: sequence, token: try StateToken.sign(state, with: key))
    }

    /// The next state of `coupon` once it holds `balance` with `held` of it held.
    func next(_ coupon: CouponRecord, balance: Int64, held: Int64, expiresAt: Instant?, now: Instant) throws
        -> SignedBalance
    {
        let sequence = (coupon.signedBalance?.sequence ?? 0) &+ 1
        return try sign(
            couponID: coupon.id,
            available: Money(minorUnits: max(0, balance - held), currency: coupon.snapshot.balance.currency),
            expiresAt: expiresAt, sequence: sequence, now: now)
    }
}

/// A phone-balance coupon's newest signed state: its sequence and its text (``StateToken``). The
/// state holds no code; it is not a secret.
public struct SignedBalance: Sendable, Equatable {
    public var sequence: UInt32
    public var token: String

    public init(sequence: UInt32, token: String) {
        self.sequence = sequence
        self.token = token
    }
}

/// Why a presented state was refused by the store (its signature was good, but it is not this
/// coupon's).
public struct PhoneStateMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String {
        "the signed state on the phone belongs to another coupon, or the coupon does not carry its balance on the phone"
    }
    public let code = "state_mismatch"
}

/// One message of the outbox: a phone-balance coupon's new state with its code, for the phone.
/// The code is here because the phone needs the next QR; it leaves the store only through
/// ``CouponStore/claimOutbox(limit:leaseSeconds:now:)``.
public struct OutboxMessage: Sendable, Equatable {
    public var id: String
    public var couponID: String
    public var code: CouponCode
    public var state: SignedBalance
    /// The available balance the state carries.
    public var balance: Money
    public var expiresAt: Instant?
    public var phone: String?
    public var campaign: String?
    public var createdAt: Instant
    /// Deliveries tried before (a claim whose lease ran out).
    public var attempts: Int
}
