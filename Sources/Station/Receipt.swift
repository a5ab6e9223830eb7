import CouponAPI
import CouponCore

/// What a receipt or a "not paid" slip says, independent of how it is printed.
public struct Receipt: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case paid
        case notPaid = "not_paid"
    }

    public struct Line: Codable, Sendable, Equatable {
        public var name: String
        public var code: String
        public var quantity: Int
        public var unitPrice: Money
        public var total: Money
    }

    public var kind: Kind
    public var shop: String
    public var station: String
    /// Local date and time, as printed: `2026-11-25 14:03:12`.
    public var at: String
    public var lines: [Line] = []
    public var total: Money?
    public var charged: Money?
    /// Still to pay by other means (partial tender).
    public var due: Money?
    public var couponLastFour: String
    public var balanceBefore: Money?
    public var balanceAfter: Money?
    public var settlementID: String?
    /// The read-only balance link (never the spendable code), printed as a QR.
    public var balanceLink: String?
    /// Why it was not paid.
    public var reason: String?
    /// The API's error code of the refusal (`coupon_expired`, ...), when the provider gave one.
    public var reasonCode: String?
    /// A phone-balance coupon: the sequence of the state the provider sent back to the phone.
    public var phoneState: Int?
    /// The phone showed an older state than the coupon's (an old screenshot, or the new message
    /// had not arrived): its sequence. The provider settled against its own balance.
    public var staleState: Int?
    /// Sold offline, to be confirmed when the till forwards it to the provider.
    public var offline: Bool?

    /// The receipt of a captured settlement.
    public static func paid(_ settlement: Settlement, shop: String, station: String, at: String, couponLastFour: String)
        throws(StationError) -> Receipt
    {
        var receipt = Receipt(kind: .paid, shop: shop, station: station, at: at, couponLastFour: couponLastFour)
        receipt.lines = try lines(of: settlement)
        receipt.total = try settlement.total.received()
        receipt.charged = try settlement.charged.received()
        receipt.due = try settlement.due.received()
        receipt.balanceBefore = try settlement.balanceBefore.received()
        receipt.balanceAfter = try settlement.balanceAfter.received()
        receipt.settlementID = settlement.id
        receipt.balanceLink = settlement.balanceLink
        return receipt
    }

    /// A "not paid" slip: the reason and, when known, the unchanged balance.
    public static func notPaid(
        reason: String, reasonCode: String? = nil, balance: Money?, settlement: Settlement?, shop: String,
        station: String, at: String, couponLastFour: String
    ) throws(StationError) -> Receipt {
        var slip = Receipt(kind: .notPaid, shop: shop, station: station, at: at, couponLastFour: couponLastFour)
        slip.reason = reason
        slip.reasonCode = reasonCode
        slip.balanceAfter = balance
        if let settlement {
            slip.settlementID = settlement.id
            slip.total = try settlement.total.received()
            slip.lines = try lines(of: settlement)
            if balance == nil { slip.balanceAfter = try settlement.balanceBefore.received() }
        }
        return slip
    }

    static func lines(of settlement: Settlement) throws(StationError) -> [Line] {
        var lines: [Line] = []
        for line in settlement.lines {
            lines.append(
                Line(
                    name: line.name, code: line.productCode, quantity: line.quantity,
                    unitPrice: try line.unitPrice.received(), total: try line.lineTotal.received()))
        }
        return lines
    }
}
