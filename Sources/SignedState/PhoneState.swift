import CouponCore

/// A coupon's state as the provider signs it into the phone's QR (the patent's first embodiment:
/// the balance goes back to the phone). The till reads the balance offline and checks the
/// signature with the provider's public keys; online, the provider's own balance stays the truth.
public struct PhoneState: Sendable, Equatable {
    /// `cpn_` and 32 hex digits, as the store makes them.
    public var couponID: String
    public var balance: Money
    /// The end of the coupon's life, or nil for none.
    public var expiresAt: Instant?
    /// Rises with every change of the coupon: the higher of two states is the newer.
    public var sequence: UInt32
    public var signedAt: Instant
    /// The signing key's id: ``SigningKey/id``.
    public var keyID: String

    public init(
        couponID: String, balance: Money, expiresAt: Instant?, sequence: UInt32, signedAt: Instant, keyID: String
    ) {
        self.couponID = couponID
        self.balance = balance
        self.expiresAt = expiresAt
        self.sequence = sequence
        self.signedAt = signedAt
        self.keyID = keyID
    }
}

/// Why a signed state was refused.
public enum PhoneStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not the text of a signed state: a character, length or version that no provider wrote.
    case malformed(String)
    /// Signed by a key this provider does not know.
    case unknownKey(String)
    /// Signed by a key the provider has retired.
    case retiredKey(String)
    /// The signature does not match: the state was changed after signing, or forged.
    case badSignature
    /// What cannot be put in a state (an id of another form, a negative balance, a time past 2106).
    case unencodable(String)

    public var code: String {
        switch self {
        case .malformed: "state_malformed"
        case .unknownKey: "state_unknown_key"
        case .retiredKey: "state_key_retired"
        case .badSignature: "state_bad_signature"
        case .unencodable: "state_unencodable"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let why): "not a signed coupon state: \(why)"
        case .unknownKey(let id): "the state is signed by key \(id), which this provider does not know"
        case .retiredKey(let id): "the state is signed by key \(id), which the provider has retired"
        case .badSignature: "the state's signature does not match: it was changed or forged"
        case .unencodable(let why): "cannot sign this state: \(why)"
        }
    }
}
