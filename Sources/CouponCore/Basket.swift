/// What the customer buys: product codes and quantities, duplicates merged.
public struct Basket: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public let product: ProductCode
        public let quantity: Int
    }

    /// The largest quantity of one product in one basket.
    public static let maxQuantity = 999
    /// The most distinct products in one basket.
    public static let maxLines = 500

    /// Merged lines in first-seen order.
    public let lines: [Line]

    /// Builds a basket from raw lines (code text, quantity).
    /// - Throws: ``BasketError`` for an empty basket, a quantity below 1 or above 999 (after
    ///   merging), an invalid code, or too many lines.
    public init(_ raw: [(code: String, quantity: Int)]) throws(BasketError) {
        guard !raw.isEmpty else { throw .empty }
        var order: [ProductCode] = []
        var quantities: [ProductCode: Int] = [:]
        for (code, quantity) in raw {
            guard quantity >= 1, quantity <= Self.maxQuantity else {
                throw .badQuantity(code: code, quantity: quantity)
            }
            let product = try ProductCode(code)
            if quantities[product] == nil { order.append(product) }
            let merged = quantities[product, default: 0] + quantity
            guard merged <= Self.maxQuantity else { throw .badQuantity(code: code, quantity: merged) }
            quantities[product] = merged
        }
        guard order.count <= Self.maxLines else { throw .tooManyLines(order.count) }
        lines = order.map { Line(product: $0, quantity: quantities[$0]!) }
    }
}

/// Why a basket was refused.
public enum BasketError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case badQuantity(code: String, quantity: Int)
    case invalidProductCode(String)
    case tooManyLines(Int)

    public var description: String {
        switch self {
        case .empty: "the basket is empty"
        case .badQuantity(let code, let quantity):
            "a quantity is 1 to \(Basket.maxQuantity), not \(quantity) of \(code.prefix(48))"
        case .invalidProductCode(let code): "'\(code.prefix(48))' is not a product code"
        case .tooManyLines(let n): "\(n) different products in one basket (at most \(Basket.maxLines))"
        }
    }
}
