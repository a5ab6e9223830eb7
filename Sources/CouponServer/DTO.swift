import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// An amount on the wire: minor units and currency, `{"amount": 30000, "currency": "CNY"}`.
struct AmountDTO: Codable, Sendable, Equatable {
    var amount: Int64
    var currency: String

    init(_ money: Money) {
        amount = money.minorUnits
        currency = money.currency.code
    }

    init(amount: Int64, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// The money this stands for; negative amounts are refused unless allowed.
    func money(allowNegative: Bool = false) throws -> Money {
        let currency = try Currency(code: currency)
        guard allowNegative || amount >= 0 else {
            throw APIError(.badRequest, "bad_amount", "the amount must not be negative")
        }
        return Money(minorUnits: amount, currency: currency)
    }
}

/// A total over many coupons on the wire: as ``AmountDTO``, but summed in 128 bits, so a report
/// never overflows (a JSON number of up to 39 digits; within the balance limits it stays far below).
struct TotalDTO: Codable, Sendable, Equatable {
    var amount: Int128
    var currency: String
}

struct IssueBody: Decodable {
    var initial: AmountDTO
    /// Days of validity from now, or an end date (`2027-12-31`, the end of that day in the
    /// configured time zone); neither: no expiry.
    var expiry: ExpiryDTO?
    var campaign: String?
    var phone: String?
}

struct ExpiryDTO: Decodable {
    var date: String?
    var days: Int?
}

struct CouponDTO: ResponseEncodable, Sendable {
    var id: String
    var code: String?
    var qrPayload: String?
    var lastFour: String
    var balance: AmountDTO
    var held: AmountDTO
    var available: AmountDTO
    var state: String
    var expiresAt: String?
    var campaign: String?

    enum CodingKeys: String, CodingKey {
        case id, code, balance, held, available, state, campaign
        case qrPayload = "qr_payload"
        case lastFour = "last_four"
        case expiresAt = "expires_at"
    }

    init(_ record: CouponRecord, code: CouponCode? = nil, baseURL: String) {
        id = record.id
        self.code = code?.grouped
        qrPayload = code.map { QRPayload.link(baseURL: baseURL, code: $0) }
        lastFour = record.lastFour
        balance = AmountDTO(record.snapshot.balance)
        held = AmountDTO(record.snapshot.held)
        available = AmountDTO(record.snapshot.available)
        state = record.snapshot.state.rawValue
        expiresAt = record.snapshot.expiresAt.map(\.iso8601)
        campaign = record.campaign
    }
}

struct LookupBody: Decodable {
    var code: String
}

struct ProductBody: Decodable {
    var name: String
    var price: AmountDTO
}

struct ProductDTO: ResponseEncodable, Sendable {
    var code: String
    var name: String
    var price: AmountDTO

    init(_ product: Product) {
        code = product.code.value
        name = product.name
        price = AmountDTO(product.price)
    }
}

struct SettlementBody: Decodable {
    struct Item: Decodable {
        var productCode: String
        var quantity: Int

        enum CodingKeys: String, CodingKey {
            case productCode = "product_code"
            case quantity
        }
    }

    var couponCode: String
    var items: [Item]
    var capture: Bool?
    var partial: Bool?

    enum CodingKeys: String, CodingKey {
        case couponCode = "coupon_code"
        case items, capture, partial
    }
}

struct CaptureBody: Decodable {
    var amount: AmountDTO?
}

struct SettlementDTO: ResponseEncodable, Sendable {
    struct Line: Codable, Sendable {
        var productCode: String
        var name: String
        var unitPrice: AmountDTO
        var quantity: Int
        var lineTotal: AmountDTO

        enum CodingKeys: String, CodingKey {
            case productCode = "product_code"
            case name, quantity
            case unitPrice = "unit_price"
            case lineTotal = "line_total"
        }
    }

    var id: String
    var couponID: String
    var station: String
    var status: String
    var lines: [Line]
    var total: AmountDTO
    var charged: AmountDTO
    var due: AmountDTO
    var balanceBefore: AmountDTO
    var balanceAfter: AmountDTO
    var holdExpiresAt: String?
    var refunded: AmountDTO
    /// The read-only balance link printed on the receipt (it can show, never spend).
    var balanceLink: String

    enum CodingKeys: String, CodingKey {
        case id, station, status, lines, total, charged, due
        case refunded
        case balanceLink = "balance_link"
        case couponID = "coupon_id"
        case balanceBefore = "balance_before"
        case balanceAfter = "balance_after"
        case holdExpiresAt = "hold_expires_at"
    }

    init(_ record: SettlementRecord, links: BalanceLinks) {
        id = record.id
        balanceLink = links.link(settlementID: record.id)
        couponID = record.couponID
        station = record.station
        status = record.status.rawValue
        lines = record.lines.map {
            Line(
                productCode: $0.product.code.value, name: $0.product.name, unitPrice: AmountDTO($0.product.price),
                quantity: $0.quantity, lineTotal: AmountDTO($0.total))
        }
        total = AmountDTO(record.total)
        charged = AmountDTO(record.charged)
        due = AmountDTO(record.due)
        balanceBefore = AmountDTO(record.balanceBefore)
        balanceAfter = AmountDTO(record.balanceAfter)
        holdExpiresAt = record.holdExpiresAt.map(\.iso8601)
        refunded = AmountDTO(record.refunded ?? .zero(record.total.currency))
    }
}

struct StationBody: Decodable {
    var name: String
}

struct StationKeyDTO: ResponseEncodable, Sendable {
    var station: String
    var keyID: String
    var key: String

    enum CodingKeys: String, CodingKey {
        case station, key
        case keyID = "key_id"
    }
}

extension Instant {
    /// `2027-12-31T15:59:59Z`.
    var iso8601: String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(secondsSince1970)))
    }

    /// The system clock, in whole seconds.
    public static var now: Instant { Instant(secondsSince1970: Int64(Date().timeIntervalSince1970)) }
}

extension Request {
    /// The body decoded as JSON, refused with 413 past `limit` bytes.
    func json<T: Decodable>(_ type: T.Type, upTo limit: Int) async throws -> T {
        let raw = try await body.collect(upTo: limit)
        return try JSONDecoder().decode(T.self, from: raw)
    }
}
