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

    /// `2027-12-31T15:59:59Z`, in UTC. Worked out in integers (the proleptic Gregorian calendar,
    /// Howard Hinnant's days-to-civil algorithm): a Foundation ISO8601DateFormatter made per call
    /// was a tenth of a console page's time; outside years 0 to 9999 Foundation writes it.
    var iso8601: String {
        let seconds = secondsSince1970
        let days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400)
        let time = seconds - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard (0...9999).contains(year) else {
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(secondsSince1970)))
        }
        func digits(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2) + "T" + digits(time / 3600, 2) + ":"
            + digits(time % 3600 / 60, 2) + ":" + digits(time % 60, 2) + "Z"
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
