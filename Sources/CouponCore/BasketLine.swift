/// A product code with its quantity, as typed (`6901234567892x2`), scanned, or journalled.
public struct BasketLine: Codable, Sendable, Equatable {
    /// The code as it was typed or scanned (the provider normalises it).
    public var code: String
    public var quantity: Int

    public init(code: String, quantity: Int) {
        self.code = code
        self.quantity = quantity
    }

    /// `CODE`, `CODExQTY`, `CODEXQTY` or `CODE*QTY`, the quantity 1 to ``Basket/maxQuantity``:
    /// how `coupon-station settle --item-code` and `couponctl refund --line` read a line.
    /// - Throws: ``BasketError`` for an empty or invalid code, or a quantity out of range.
    public init(parsing text: String) throws(BasketError) {
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        var code = trimmed
        var quantity = 1
        if let separator = trimmed.lastIndex(where: { $0 == "x" || $0 == "X" || $0 == "*" }),
            separator != trimmed.startIndex, let number = Int(trimmed[trimmed.index(after: separator)...])
        {
            code = String(trimmed[..<separator])
            quantity = number
        }
        guard (1...Basket.maxQuantity).contains(quantity) else {
            throw .badQuantity(code: code, quantity: quantity)
        }
        _ = try ProductCode(code)
        self.init(code: code, quantity: quantity)
    }

    /// Lines of one product become one, quantities added, in first-seen order. One product is
    /// what ``ProductCode`` makes of a code: the UPC-A, EAN-13 and GTIN-14 forms of an item are one.
    /// - Throws: ``BasketError`` for an invalid code, or a product past ``Basket/maxQuantity``.
    public static func merge(_ lines: [BasketLine]) throws(BasketError) -> [BasketLine] {
        var merged: [BasketLine] = []
        var index: [ProductCode: Int] = [:]
        for line in lines {
            let product = try ProductCode(line.code)
            if let at = index[product] {
                merged[at].quantity += line.quantity
                guard merged[at].quantity <= Basket.maxQuantity else {
                    throw .badQuantity(code: merged[at].code, quantity: merged[at].quantity)
                }
            } else {
                guard (1...Basket.maxQuantity).contains(line.quantity) else {
                    throw .badQuantity(code: line.code, quantity: line.quantity)
                }
                index[product] = merged.count
                merged.append(line)
            }
        }
        return merged
    }
}
