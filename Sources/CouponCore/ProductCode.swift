import GS1

/// A product's key in the catalogue. A GS1 code (8, 12, 13 or 14 digits with a valid check digit)
/// is kept as GTIN-14, so the UPC-A, EAN-13 and GTIN-14 forms of one item are one product; anything
/// else is an internal code kept as written.
public struct ProductCode: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let value: String
    /// True when `value` is a GTIN-14.
    public let isGTIN: Bool

    /// Normalises a scanned or typed code.
    /// - Throws: ``BasketError/invalidProductCode(_:)`` for an empty code, one over 48 characters, or
    ///   one with spaces or control characters.
    public init(_ text: String) throws(BasketError) {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty, trimmed.count <= 48,
            trimmed.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0.asciiValue! >= 0x21 })
        else { throw .invalidProductCode(text) }
        if [8, 12, 13, 14].contains(trimmed.count), trimmed.allSatisfy(\.isASCIIDigit), GS1Check.isValid(trimmed) {
            value = String(repeating: "0", count: 14 - trimmed.count) + trimmed
            isGTIN = true
        } else {
            value = trimmed
            isGTIN = false
        }
    }

    /// The code of a UPC-E symbol (8 digits), as the UPC-A it stands for.
    public init(upce: String) throws(BasketError) {
        guard let upca = GS1Check.expandUPCE(upce), GS1Check.isValid(upca) else { throw .invalidProductCode(upce) }
        try self.init(upca)
    }

    public var description: String { value }

    public static func < (a: ProductCode, b: ProductCode) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
