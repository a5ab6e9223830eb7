import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird
import SignedState

// The wire types are CouponAPI's; here they learn to answer a request and to be made from records.
extension Coupon: ResponseEncodable {}
extension CouponList: ResponseEncodable {}
extension Ledger: ResponseEncodable {}
extension PublicBalance: ResponseEncodable {}
extension ReceiptView: ResponseEncodable {}
extension Settlement: ResponseEncodable {}
extension ProductInfo: ResponseEncodable {}
extension ProductList: ResponseEncodable {}
extension Imported: ResponseEncodable {}
extension KeyList: ResponseEncodable {}
extension PublicKeys: ResponseEncodable {}
extension OutboxMessages: ResponseEncodable {}
extension OutboxStatus: ResponseEncodable {}
extension OfflineLimitBody: ResponseEncodable {}
extension StationOffline: ResponseEncodable {}
extension Audit: ResponseEncodable {}
extension Liability: ResponseEncodable {}
extension Campaign: ResponseEncodable {}
extension Daily: ResponseEncodable {}
extension Export: ResponseEncodable {}

extension Amount {
    /// The money this stands for; negative amounts are refused unless allowed.
    func checkedMoney(allowNegative: Bool = false) throws -> Money {
        let money = try money()
        guard allowNegative || amount >= 0 else {
            throw APIError(.badRequest, .badAmount, "the amount must not be negative")
        }
        return money
    }
}

extension Coupon {
    init(_ record: CouponRecord, code: CouponCode? = nil, baseURL: String) {
        self.init(
            id: record.id, code: code?.grouped,
            qrPayload: code.map { QRPayload.link(baseURL: baseURL, code: $0, state: record.signedBalance?.token) },
            lastFour: record.lastFour, balance: Amount(record.snapshot.balance), held: Amount(record.snapshot.held),
            available: Amount(record.snapshot.available), state: record.snapshot.state.rawValue,
            expiresAt: record.snapshot.expiresAt.map(\.iso8601), campaign: record.campaign,
            phoneState: record.signedBalance.flatMap(PhoneStateBody.init))
    }
}

extension PhoneStateBody {
    /// The wire form of a signed state (its fields read back from the token the store signed).
    init?(_ signed: SignedBalance) {
        guard let state = try? StateToken.unverified(signed.token) else { return nil }
        self.init(
            sequence: Int(signed.sequence), token: signed.token, balance: Amount(state.balance),
            signedAt: state.signedAt.iso8601, keyID: state.keyID)
    }
}

extension OutboxMessageBody {
    init(_ message: OutboxMessage, baseURL: String) {
        self.init(
            id: message.id, couponID: message.couponID, code: message.code.grouped,
            qrPayload: QRPayload.link(baseURL: baseURL, code: message.code, state: message.state.token),
            phoneState: PhoneStateBody(message.state)
                ?? PhoneStateBody(
                    sequence: Int(message.state.sequence), token: message.state.token, balance: Amount(message.balance),
                    signedAt: message.createdAt.iso8601, keyID: ""),
            expiresAt: message.expiresAt.map(\.iso8601), phone: message.phone, campaign: message.campaign,
            createdAt: message.createdAt.iso8601, attempts: message.attempts)
    }
}

extension ProductInfo {
    init(_ product: Product) {
        self.init(code: product.code.value, name: product.name, price: Amount(product.price))
    }
}

extension Settlement {
    init(_ record: SettlementRecord, links: BalanceLinks) {
        self.init(
            id: record.id, couponID: record.couponID, station: record.station, status: record.status.rawValue,
            lines: record.lines.map {
                SettlementLine(
                    productCode: $0.product.code.value, name: $0.product.name, unitPrice: Amount($0.product.price),
                    quantity: $0.quantity, lineTotal: Amount($0.total))
            },
            total: Amount(record.total), charged: Amount(record.charged), due: Amount(record.due),
            balanceBefore: Amount(record.balanceBefore), balanceAfter: Amount(record.balanceAfter),
            holdExpiresAt: record.holdExpiresAt.map(\.iso8601),
            refunded: Amount(record.refunded ?? .zero(record.total.currency)),
            balanceLink: links.link(settlementID: record.id))
    }
}

extension KeySummary {
    init(_ key: KeyInfo) {
        self.init(
            id: key.id, role: key.role.rawValue, station: key.station, name: key.name,
            createdAt: key.createdAt.iso8601, revokedAt: key.revokedAt?.iso8601)
    }
}

extension Instant {
    /// The instant of an ISO 8601 time (`2026-12-06T10:00:00Z`, or with an offset), or nil.
    init?(iso8601 text: String) {
        guard let date = ISO8601DateFormatter().date(from: text) else { return nil }
        self.init(secondsSince1970: Int64(date.timeIntervalSince1970))
    }

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
