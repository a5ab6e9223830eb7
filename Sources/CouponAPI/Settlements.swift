// The request and response bodies of docs/api.md; docs/openapi.yaml names each one.

/// A product code and its quantity, in a settlement or a refund.
public struct BasketItem: Codable, Sendable, Equatable {
    public var productCode: String
    public var quantity: Int

    enum CodingKeys: String, CodingKey {
        case productCode = "product_code"
        case quantity
    }

    public init(productCode: String, quantity: Int) {
        self.productCode = productCode
        self.quantity = quantity
    }
}

/// `POST /v1/settlements`: the coupon's code and the basket; `capture: false` only holds.
public struct SettlementBody: Codable, Sendable, Equatable {
    public var couponCode: String
    public var items: [BasketItem]
    public var capture: Bool?
    public var partial: Bool?

    enum CodingKeys: String, CodingKey {
        case couponCode = "coupon_code"
        case items
        case capture
        case partial
    }

    public init(couponCode: String, items: [BasketItem], capture: Bool? = nil, partial: Bool? = nil) {
        self.couponCode = couponCode
        self.items = items
        self.capture = capture
        self.partial = partial
    }
}

/// `POST /v1/settlements/{id}/capture`: all of the hold, or `amount` of it.
public struct CaptureBody: Codable, Sendable, Equatable {
    public var amount: Amount?

    public init(amount: Amount? = nil) {
        self.amount = amount
    }
}

/// `POST /v1/settlements/{id}/refund`.
public struct RefundBody: Codable, Sendable, Equatable {
    public var lines: [BasketItem]

    public init(lines: [BasketItem]) {
        self.lines = lines
    }
}

/// A priced line of a settlement.
public struct SettlementLine: Codable, Sendable, Equatable {
    public var productCode: String
    public var name: String
    public var unitPrice: Amount
    public var quantity: Int
    public var lineTotal: Amount

    enum CodingKeys: String, CodingKey {
        case productCode = "product_code"
        case name
        case unitPrice = "unit_price"
        case quantity
        case lineTotal = "line_total"
    }

    public init(productCode: String, name: String, unitPrice: Amount, quantity: Int, lineTotal: Amount) {
        self.productCode = productCode
        self.name = name
        self.unitPrice = unitPrice
        self.quantity = quantity
        self.lineTotal = lineTotal
    }
}

/// A settlement: held, captured, voided, expired, partially_refunded or refunded.
public struct Settlement: Codable, Sendable, Equatable {
    public var id: String
    public var couponID: String
    public var station: String
    public var status: String
    public var lines: [SettlementLine]
    public var total: Amount
    public var charged: Amount
    public var due: Amount
    public var balanceBefore: Amount
    public var balanceAfter: Amount
    public var holdExpiresAt: String?
    public var refunded: Amount
    public var balanceLink: String
    /// A phone-balance coupon's state after this settlement, for the phone and the receipt.
    public var phoneState: PhoneStateBody?
    /// True when the state the station presented was older than the coupon's: the provider
    /// settled against its own balance, and `phone_state` is the current one.
    public var staleState: Bool?

    enum CodingKeys: String, CodingKey {
        case phoneState = "phone_state"
        case staleState = "stale_state"
        case id
        case couponID = "coupon_id"
        case station
        case status
        case lines
        case total
        case charged
        case due
        case balanceBefore = "balance_before"
        case balanceAfter = "balance_after"
        case holdExpiresAt = "hold_expires_at"
        case refunded
        case balanceLink = "balance_link"
    }

    public init(
        id: String, couponID: String, station: String, status: String, lines: [SettlementLine], total: Amount,
        charged: Amount, due: Amount, balanceBefore: Amount, balanceAfter: Amount, holdExpiresAt: String? = nil,
        refunded: Amount, balanceLink: String, phoneState: PhoneStateBody? = nil, staleState: Bool? = nil
    ) {
        self.phoneState = phoneState
        self.staleState = staleState
        self.id = id
        self.couponID = couponID
        self.station = station
        self.status = status
        self.lines = lines
        self.total = total
        self.charged = charged
        self.due = due
        self.balanceBefore = balanceBefore
        self.balanceAfter = balanceAfter
        self.holdExpiresAt = holdExpiresAt
        self.refunded = refunded
        self.balanceLink = balanceLink
    }
}
