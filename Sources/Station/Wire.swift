import CouponCore

/// An amount as the provider's API writes it: minor units and currency.
public struct WireAmount: Codable, Sendable, Equatable {
    public var amount: Int64
    public var currency: String

    public init(_ money: Money) {
        amount = money.minorUnits
        currency = money.currency.code
    }

    /// As money; an unknown currency is the server's mistake, reported as such.
    public func money() throws(StationError) -> Money {
        do {
            return Money(minorUnits: amount, currency: try Currency(code: currency))
        } catch {
            throw StationError.server("the server answered with an unknown currency '\(currency)'")
        }
    }
}

/// A settlement as the provider answers it (`POST /v1/settlements`, capture, void, `GET`).
public struct Settlement: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var productCode: String
        public var name: String
        public var unitPrice: WireAmount
        public var quantity: Int
        public var lineTotal: WireAmount

        enum CodingKeys: String, CodingKey {
            case productCode = "product_code"
            case name, quantity
            case unitPrice = "unit_price"
            case lineTotal = "line_total"
        }
    }

    public var id: String
    public var couponID: String
    public var station: String
    /// `held`, `captured`, `voided`, `expired`, ...
    public var status: String
    public var lines: [Line]
    public var total: WireAmount
    public var charged: WireAmount
    public var due: WireAmount
    public var balanceBefore: WireAmount
    public var balanceAfter: WireAmount
    public var holdExpiresAt: String?
    public var balanceLink: String

    enum CodingKeys: String, CodingKey {
        case id, station, status, lines, total, charged, due
        case couponID = "coupon_id"
        case balanceBefore = "balance_before"
        case balanceAfter = "balance_after"
        case holdExpiresAt = "hold_expires_at"
        case balanceLink = "balance_link"
    }
}

/// The API's error body: `{"error": {"code", "message"}, "balance"?: ...}`.
struct WireError: Decodable {
    struct Body: Decodable {
        var code: String
        var message: String
    }

    var error: Body
    var balance: WireAmount?
    var unknownProducts: [String]?

    enum CodingKeys: String, CodingKey {
        case error, balance
        case unknownProducts = "unknown_products"
    }
}
