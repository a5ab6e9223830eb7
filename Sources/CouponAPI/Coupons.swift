// The request and response bodies of docs/api.md; docs/openapi.yaml names each one.

/// An expiry: an end date (`2027-12-31`, the end of that day in the server's time zone) or days from now.
public struct Expiry: Codable, Sendable, Equatable {
    public var date: String?
    public var days: Int?

    public init(date: String? = nil, days: Int? = nil) {
        self.date = date
        self.days = days
    }
}

/// `POST /v1/coupons`, and one entry of a batch.
public struct IssueBody: Codable, Sendable, Equatable {
    public var initial: Amount
    public var expiry: Expiry?
    public var campaign: String?
    public var phone: String?
    /// The patent's first embodiment: the balance goes back to the phone, signed, after every change.
    public var balanceOnPhone: Bool?

    enum CodingKeys: String, CodingKey {
        case initial, expiry, campaign, phone
        case balanceOnPhone = "balance_on_phone"
    }

    public init(
        initial: Amount, expiry: Expiry? = nil, campaign: String? = nil, phone: String? = nil,
        balanceOnPhone: Bool? = nil
    ) {
        self.initial = initial
        self.expiry = expiry
        self.campaign = campaign
        self.phone = phone
        self.balanceOnPhone = balanceOnPhone
    }
}

/// `POST /v1/coupons/batch`: `count` alike coupons, or one entry per coupon in `coupons`.
public struct BatchBody: Codable, Sendable, Equatable {
    public var count: Int?
    public var initial: Amount?
    public var expiry: Expiry?
    public var campaign: String?
    public var coupons: [IssueBody]?
    public var balanceOnPhone: Bool?

    enum CodingKeys: String, CodingKey {
        case count, initial, expiry, campaign, coupons
        case balanceOnPhone = "balance_on_phone"
    }

    public init(
        count: Int? = nil, initial: Amount? = nil, expiry: Expiry? = nil, campaign: String? = nil,
        coupons: [IssueBody]? = nil, balanceOnPhone: Bool? = nil
    ) {
        self.count = count
        self.initial = initial
        self.expiry = expiry
        self.campaign = campaign
        self.coupons = coupons
        self.balanceOnPhone = balanceOnPhone
    }
}

/// A coupon; `code` and `qr_payload` only in the answer to an issue or reissue.
public struct Coupon: Codable, Sendable, Equatable {
    public var id: String
    public var code: String?
    public var qrPayload: String?
    public var lastFour: String
    public var balance: Amount
    public var held: Amount
    public var available: Amount
    public var state: String
    public var expiresAt: String?
    public var campaign: String?
    /// A coupon that carries its balance on the phone: its newest signed state.
    public var phoneState: PhoneStateBody?

    enum CodingKeys: String, CodingKey {
        case id
        case code
        case qrPayload = "qr_payload"
        case lastFour = "last_four"
        case balance
        case held
        case available
        case state
        case expiresAt = "expires_at"
        case campaign
        case phoneState = "phone_state"
    }

    public init(
        id: String, code: String? = nil, qrPayload: String? = nil, lastFour: String, balance: Amount, held: Amount,
        available: Amount, state: String, expiresAt: String? = nil, campaign: String? = nil,
        phoneState: PhoneStateBody? = nil
    ) {
        self.phoneState = phoneState
        self.id = id
        self.code = code
        self.qrPayload = qrPayload
        self.lastFour = lastFour
        self.balance = balance
        self.held = held
        self.available = available
        self.state = state
        self.expiresAt = expiresAt
        self.campaign = campaign
    }
}

/// The answer to a batch issue.
public struct CouponList: Codable, Sendable, Equatable {
    public var coupons: [Coupon]

    public init(coupons: [Coupon]) {
        self.coupons = coupons
    }
}

/// `POST /v1/coupons/lookup` and `POST /v1/public/balance`: a code or its QR link.
public struct LookupBody: Codable, Sendable, Equatable {
    public var code: String

    public init(code: String) {
        self.code = code
    }
}

/// `POST /v1/coupons/{id}/load`.
public struct LoadBody: Codable, Sendable, Equatable {
    public var amount: Amount
    public var reference: String

    public init(amount: Amount, reference: String) {
        self.amount = amount
        self.reference = reference
    }
}

/// `POST /v1/coupons/{id}/adjust`: the amount may be negative.
public struct AdjustBody: Codable, Sendable, Equatable {
    public var amount: Amount
    public var reason: String

    public init(amount: Amount, reason: String) {
        self.amount = amount
        self.reason = reason
    }
}

/// One line of a coupon's ledger.
public struct LedgerLine: Codable, Sendable, Equatable {
    public var kind: String
    public var amount: Amount
    public var balanceBefore: Amount
    public var balanceAfter: Amount
    public var actor: String
    public var settlementID: String?
    public var at: String

    enum CodingKeys: String, CodingKey {
        case kind
        case amount
        case balanceBefore = "balance_before"
        case balanceAfter = "balance_after"
        case actor
        case settlementID = "settlement_id"
        case at
    }

    public init(
        kind: String, amount: Amount, balanceBefore: Amount, balanceAfter: Amount, actor: String,
        settlementID: String? = nil, at: String
    ) {
        self.kind = kind
        self.amount = amount
        self.balanceBefore = balanceBefore
        self.balanceAfter = balanceAfter
        self.actor = actor
        self.settlementID = settlementID
        self.at = at
    }
}

/// `GET /v1/coupons/{id}/ledger`, newest first.
public struct Ledger: Codable, Sendable, Equatable {
    public var entries: [LedgerLine]

    public init(entries: [LedgerLine]) {
        self.entries = entries
    }
}

/// `POST /v1/public/balance`: what anyone holding the code may see.
public struct PublicBalance: Codable, Sendable, Equatable {
    public var balance: Amount
    public var available: Amount
    public var state: String
    public var expiresAt: String?

    enum CodingKeys: String, CodingKey {
        case balance
        case available
        case state
        case expiresAt = "expires_at"
    }

    public init(balance: Amount, available: Amount, state: String, expiresAt: String? = nil) {
        self.balance = balance
        self.available = available
        self.state = state
        self.expiresAt = expiresAt
    }
}

/// `GET /b/{token}` as JSON: a receipt's read-only balance view.
public struct ReceiptView: Codable, Sendable, Equatable {
    public var settlementID: String
    public var status: String
    public var charged: Amount
    public var balance: Amount
    public var available: Amount
    public var state: String
    public var expiresAt: String?
    public var lastFour: String

    enum CodingKeys: String, CodingKey {
        case settlementID = "settlement_id"
        case status
        case charged
        case balance
        case available
        case state
        case expiresAt = "expires_at"
        case lastFour = "last_four"
    }

    public init(
        settlementID: String, status: String, charged: Amount, balance: Amount, available: Amount, state: String,
        expiresAt: String? = nil, lastFour: String
    ) {
        self.settlementID = settlementID
        self.status = status
        self.charged = charged
        self.balance = balance
        self.available = available
        self.state = state
        self.expiresAt = expiresAt
        self.lastFour = lastFour
    }
}
