/// Every error code of docs/api.md. A code this build does not know (a newer server's) is kept as
/// ``unknown(_:)``, so a client still reports it and its status.
public enum ErrorCode: Sendable, Hashable, Codable, CustomStringConvertible {
    // 400
    case badRequest, badDate, malformedJSON, missingField, badAmount, badExpiry, invalidCode, badBasket
    case badName, badCSV, badLimit, badBatch, badCampaign, badPhone, badReference, badReason, badQuantity
    case badIdempotencyKey, badText, badRole, badPassword
    // 401, 403, 404, 405, 408, 413, 431
    case unauthorized, forbidden, notFound, settlementNotFound, couponNotFound, methodNotAllowed
    case requestTimeout, tooLarge, headersTooLarge
    // 402 declines
    case insufficientBalance, expired, blocked, unknownCoupon, currencyMismatch
    // 409
    case settlementNotHeld, holdExpired, wrongState, idempotencyInFlight, idempotencyReplayUnreadable, userExists
    // 422
    case overLimit, unknownProduct, captureExceedsHold, adjustmentTooLarge, refundTooLarge
    case idempotencyKeyReused
    // 400 and 422: a phone-balance coupon's signed state
    case stateMalformed, stateUnknownKey, stateKeyRetired, stateBadSignature, stateMismatch
    // 429, 5xx
    case rateLimited, unavailable, internalError, httpError
    case unknown(String)

    /// The known codes, as the server writes them.
    public static let known: [ErrorCode] = [
        .badRequest, .badDate, .malformedJSON, .missingField, .badAmount, .badExpiry, .invalidCode, .badBasket,
        .badName, .badCSV, .badLimit, .badBatch, .badCampaign, .badPhone, .badReference, .badReason, .badQuantity,
        .badIdempotencyKey, .badText, .badRole, .badPassword, .userExists, .unauthorized, .forbidden, .notFound, .settlementNotFound, .couponNotFound,
        .methodNotAllowed, .requestTimeout, .tooLarge, .headersTooLarge, .insufficientBalance, .expired, .blocked,
        .unknownCoupon, .currencyMismatch, .settlementNotHeld, .holdExpired, .wrongState, .idempotencyInFlight,
        .idempotencyReplayUnreadable, .overLimit, .unknownProduct, .captureExceedsHold, .adjustmentTooLarge,
        .refundTooLarge, .idempotencyKeyReused, .stateMalformed, .stateUnknownKey, .stateKeyRetired,
        .stateBadSignature, .stateMismatch, .rateLimited, .unavailable, .internalError, .httpError,
    ]

    private static let byName: [String: ErrorCode] = Dictionary(
        uniqueKeysWithValues: known.map { ($0.rawValue, $0) })

    public init(rawValue: String) {
        self = Self.byName[rawValue] ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .badRequest: "bad_request"
        case .badDate: "bad_date"
        case .malformedJSON: "malformed_json"
        case .missingField: "missing_field"
        case .badAmount: "bad_amount"
        case .badExpiry: "bad_expiry"
        case .invalidCode: "invalid_code"
        case .badBasket: "bad_basket"
        case .badName: "bad_name"
        case .badCSV: "bad_csv"
        case .badLimit: "bad_limit"
        case .badBatch: "bad_batch"
        case .badCampaign: "bad_campaign"
        case .badPhone: "bad_phone"
        case .badReference: "bad_reference"
        case .badReason: "bad_reason"
        case .badQuantity: "bad_quantity"
        case .badIdempotencyKey: "bad_idempotency_key"
        case .badText: "bad_text"
        case .badRole: "bad_role"
        case .badPassword: "bad_password"
        case .userExists: "user_exists"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .settlementNotFound: "settlement_not_found"
        case .couponNotFound: "coupon_not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .requestTimeout: "request_timeout"
        case .tooLarge: "too_large"
        case .headersTooLarge: "headers_too_large"
        case .insufficientBalance: "insufficient_balance"
        case .expired: "expired"
        case .blocked: "blocked"
        case .unknownCoupon: "unknown_coupon"
        case .currencyMismatch: "currency_mismatch"
        case .settlementNotHeld: "settlement_not_held"
        case .holdExpired: "hold_expired"
        case .wrongState: "wrong_state"
        case .idempotencyInFlight: "idempotency_in_flight"
        case .idempotencyReplayUnreadable: "idempotency_replay_unreadable"
        case .overLimit: "over_limit"
        case .unknownProduct: "unknown_product"
        case .captureExceedsHold: "capture_exceeds_hold"
        case .adjustmentTooLarge: "adjustment_too_large"
        case .refundTooLarge: "refund_too_large"
        case .idempotencyKeyReused: "idempotency_key_reused"
        case .stateMalformed: "state_malformed"
        case .stateUnknownKey: "state_unknown_key"
        case .stateKeyRetired: "state_key_retired"
        case .stateBadSignature: "state_bad_signature"
        case .stateMismatch: "state_mismatch"
        case .rateLimited: "rate_limited"
        case .unavailable: "unavailable"
        case .internalError: "internal"
        case .httpError: "http_error"
        case .unknown(let code): code
        }
    }

    public var description: String { rawValue }

    /// A decline of a settlement: the "not paid" slip's reasons.
    public var isDecline: Bool {
        [.insufficientBalance, .expired, .blocked, .unknownCoupon, .currencyMismatch, .unknownProduct].contains(self)
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The API's error body: `{"error": {"code", "message"}, "balance"?, "unknown_products"?}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: ErrorCode
        public var message: String

        public init(code: ErrorCode, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var error: Detail
    /// The unchanged balance of a declined settlement.
    public var balance: Amount?
    /// The codes the catalogue does not know (422 `unknown_product`).
    public var unknownProducts: [String]?
    /// A declined phone-balance coupon's current state (its balance unchanged), with whether the
    /// presented one was stale.
    public var phoneState: PhoneStateBody?
    public var staleState: Bool?

    enum CodingKeys: String, CodingKey {
        case error, balance
        case unknownProducts = "unknown_products"
        case phoneState = "phone_state"
        case staleState = "stale_state"
    }

    public init(
        code: ErrorCode, message: String, balance: Amount? = nil, unknownProducts: [String]? = nil,
        phoneState: PhoneStateBody? = nil, staleState: Bool? = nil
    ) {
        error = Detail(code: code, message: message)
        self.balance = balance
        self.unknownProducts = unknownProducts
        self.phoneState = phoneState
        self.staleState = staleState
    }
}
