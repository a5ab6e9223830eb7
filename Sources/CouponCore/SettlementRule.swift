/// A product as the provider's catalogue prices it.
public struct Product: Sendable, Equatable {
    public var code: ProductCode
    public var name: String
    public var price: Money

    public init(code: ProductCode, name: String, price: Money) {
        self.code = code
        self.name = name
        self.price = price
    }
}

/// A basket line priced from the catalogue.
public struct PricedLine: Sendable, Equatable {
    public var product: Product
    public var quantity: Int
    public var total: Money

    public init(product: Product, quantity: Int, total: Money) {
        self.product = product
        self.quantity = quantity
        self.total = total
    }
}

/// Why a settlement was declined; nothing changes when one is.
public enum DeclineReason: Sendable, Equatable, CustomStringConvertible {
    case insufficientBalance(available: Money, requested: Money)
    case expired
    case blocked
    case unknownCoupon
    case unknownProduct([ProductCode])
    case currencyMismatch(coupon: Currency, basket: Currency)

    /// The stable machine code of the API: `insufficient_balance`, ...
    public var code: String {
        switch self {
        case .insufficientBalance: "insufficient_balance"
        case .expired: "expired"
        case .blocked: "blocked"
        case .unknownCoupon: "unknown_coupon"
        case .unknownProduct: "unknown_product"
        case .currencyMismatch: "currency_mismatch"
        }
    }

    public var description: String {
        switch self {
        case .insufficientBalance(let available, let requested):
            "insufficient balance: \(requested) requested, \(available) available"
        case .expired: "the coupon has expired"
        case .blocked: "the coupon is blocked"
        case .unknownCoupon: "no such coupon"
        case .unknownProduct(let codes): "unknown products: " + codes.map(\.value).joined(separator: ", ")
        case .currencyMismatch(let coupon, let basket): "the coupon is in \(coupon), the basket in \(basket)"
        }
    }
}

/// The outcome of the settlement rule.
public enum SettlementDecision: Sendable, Equatable {
    /// Approved: `charged` comes off the coupon; `due` is what the customer still owes (partial tender).
    case approved(lines: [PricedLine], total: Money, charged: Money, due: Money)
    case declined(DeclineReason)
}

/// The settlement rule of CN101685510A: the provider prices the basket from its own catalogue,
/// total = sum of unit price x quantity, and approves when total <= available and the coupon is
/// active, unexpired and in the basket's currency. With `partial`, it charges what the balance
/// allows and reports the rest as due.
public enum SettlementRule {
    public static func decide(
        coupon: CouponSnapshot?, basket: Basket, catalog: (ProductCode) -> Product?, now: Instant, partial: Bool = false
    ) throws(MoneyError) -> SettlementDecision {
        guard let coupon else { return .declined(.unknownCoupon) }
        if coupon.state == .blocked { return .declined(.blocked) }
        if coupon.state == .expired || coupon.expiresAt.map({ now >= $0 }) == true { return .declined(.expired) }
        var lines: [PricedLine] = []
        var unknown: [ProductCode] = []
        for line in basket.lines {
            guard let product = catalog(line.product) else {
                unknown.append(line.product)
                continue
            }
            lines.append(
                PricedLine(
                    product: product, quantity: line.quantity, total: try product.price.multiplied(by: line.quantity)))
        }
        if !unknown.isEmpty { return .declined(.unknownProduct(unknown)) }
        let currency = coupon.balance.currency
        if let other = lines.first(where: { $0.total.currency != currency }) {
            return .declined(.currencyMismatch(coupon: currency, basket: other.total.currency))
        }
        var total = Money.zero(currency)
        for line in lines { total = try total.adding(line.total) }
        let available = coupon.available
        if total <= available {
            return .approved(lines: lines, total: total, charged: total, due: .zero(currency))
        }
        guard partial, available.minorUnits > 0 else {
            return .declined(.insufficientBalance(available: available, requested: total))
        }
        return .approved(lines: lines, total: total, charged: available, due: try total.subtracting(available))
    }
}
