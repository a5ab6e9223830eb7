// Offline sales (the patent's first embodiment): what a till needs to sell while the provider is
// out of reach, and the sales it forwards afterwards (docs/api.md, "Offline sales").

/// `PUT /v1/stations/{name}/offline-limits`: how far the station may sell offline in the amounts'
/// currency, per sale and per coupon per day.
public struct OfflineLimitBody: Codable, Sendable, Equatable {
    public var perSale: Amount
    public var perDay: Amount

    enum CodingKeys: String, CodingKey {
        case perSale = "per_sale"
        case perDay = "per_day"
    }

    public init(perSale: Amount, perDay: Amount) {
        self.perSale = perSale
        self.perDay = perDay
    }
}

/// `GET /v1/station/offline`: what a till pins to sell offline (its limits, the state keys and
/// the provider's clock).
public struct StationOffline: Codable, Sendable, Equatable {
    public var station: String
    public var limits: [OfflineLimitBody]
    public var keys: [PublicKeyInfo]
    public var serverTime: String

    enum CodingKeys: String, CodingKey {
        case station, limits, keys
        case serverTime = "server_time"
    }

    public init(station: String, limits: [OfflineLimitBody], keys: [PublicKeyInfo], serverTime: String) {
        self.station = station
        self.limits = limits
        self.keys = keys
        self.serverTime = serverTime
    }
}

/// A line of an offline sale, at the till's price.
public struct OfflineItem: Codable, Sendable, Equatable {
    public var productCode: String
    public var name: String
    public var unitPrice: Amount
    public var quantity: Int

    enum CodingKeys: String, CodingKey {
        case name, quantity
        case productCode = "product_code"
        case unitPrice = "unit_price"
    }

    public init(productCode: String, name: String, unitPrice: Amount, quantity: Int) {
        self.productCode = productCode
        self.name = name
        self.unitPrice = unitPrice
        self.quantity = quantity
    }
}

/// `POST /v1/settlements/offline`: a sale made offline, forwarded once (under its own
/// Idempotency-Key). `coupon_code` carries the code and the state the sale was made on.
public struct OfflineSaleBody: Codable, Sendable, Equatable {
    public var couponCode: String
    public var items: [OfflineItem]
    public var total: Amount
    /// The till's clock when it sold (ISO 8601).
    public var madeAt: String

    enum CodingKeys: String, CodingKey {
        case items, total
        case couponCode = "coupon_code"
        case madeAt = "made_at"
    }

    public init(couponCode: String, items: [OfflineItem], total: Amount, madeAt: String) {
        self.couponCode = couponCode
        self.items = items
        self.total = total
        self.madeAt = madeAt
    }
}

/// The answer to a forwarded offline sale.
public struct OfflineSettlement: Codable, Sendable, Equatable {
    public var settlement: Settlement
    /// What the coupon's balance could not cover (zero unless two tills spent one state).
    public var shortfall: Amount
    /// True when the coupon was blocked for review by this sale's shortfall.
    public var blocked: Bool
    public var madeAt: String
    public var receivedAt: String

    enum CodingKeys: String, CodingKey {
        case settlement, shortfall, blocked
        case madeAt = "made_at"
        case receivedAt = "received_at"
    }

    public init(settlement: Settlement, shortfall: Amount, blocked: Bool, madeAt: String, receivedAt: String) {
        self.settlement = settlement
        self.shortfall = shortfall
        self.blocked = blocked
        self.madeAt = madeAt
        self.receivedAt = receivedAt
    }
}
