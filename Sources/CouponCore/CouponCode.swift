/// A coupon's spending code: a bearer secret, like cash.
///
/// 22 random Crockford base32 characters (110 bits from the system's cryptographic generator)
/// and one check character (Luhn mod 32, which catches every single mistyped character and every
/// swap of two neighbours but `0`/`Z`), printed in groups of four: `K7QF-2M9X-4HWD-PR3A-V8EN-TX7`.
/// Parsing ignores case, spaces and dashes, and reads `O` as `0` and `I`/`L` as `1`.
public struct CouponCode: Sendable, Hashable, CustomStringConvertible {
    /// The 23 characters without separators, upper case.
    public let value: String

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let bodyLength = 22

    /// A new random code.
    public static func generate() -> CouponCode {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A new code from `generator` (tests pass a seeded one).
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> CouponCode {
        var values: [Int] = []
        for _ in 0..<bodyLength { values.append(Int.random(in: 0..<32, using: &generator)) }
        values.append(checkValue(values))
        return CouponCode(unchecked: String(values.map { alphabet[$0] }))
    }

    private init(unchecked value: String) { self.value = value }

    /// Part of a code as a person wrote it, read as ``init(parsing:)`` reads a whole one: upper
    /// case, dashes and spaces dropped, O as 0, I and L as 1 (a search by the last four).
    public static func cleaned(_ text: String) -> String {
        String(
            text.uppercased().filter { $0 != "-" && !$0.isWhitespace }.map { character -> Character in
                switch character {
                case "O": "0"
                case "I", "L": "1"
                default: character
                }
            })
    }

    /// Parses a code as a person or a scanner wrote it.
    /// - Throws: ``CouponCodeError`` before any lookup when the code cannot be one of ours.
    public init(parsing text: String) throws(CouponCodeError) {
        let cleaned = Array(Self.cleaned(text))
        guard cleaned.allSatisfy({ Self.alphabet.contains($0) }) else { throw .invalidCharacter }
        guard cleaned.count == Self.bodyLength + 1 else { throw .wrongLength(cleaned.count) }
        let values = cleaned.map { Self.index($0)! }
        guard Self.checkValue(values.dropLast()) == values.last else { throw .badCheckCharacter }
        self.value = String(cleaned)
    }

    /// Grouped for people: four characters, a dash, and so on.
    public var grouped: String {
        var out = ""
        for (i, character) in value.enumerated() {
            if i > 0, i % 4 == 0 { out.append("-") }
            out.append(character)
        }
        return out
    }

    /// The last four characters, all a receipt or a log may show.
    public var lastFour: String { String(value.suffix(4)) }

    /// Never the full code: a description can end up in a log.
    public var description: String { "…" + lastFour }

    static func index(_ character: Character) -> Int? { alphabet.firstIndex(of: character) }

    /// Luhn mod 32 over the body: the value that makes the weighted sum a multiple of 32.
    static func checkValue<C: BidirectionalCollection<Int>>(_ body: C) -> Int {
        var sum = 0
        var double = true
        for value in body.reversed() {
            var addend = double ? value * 2 : value
            addend = addend / 32 + addend % 32
            sum += addend
            double.toggle()
        }
        return (32 - sum % 32) % 32
    }
}

/// Why a text is not a coupon code.
public enum CouponCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidCharacter
    case wrongLength(Int)
    case badCheckCharacter

    // The text itself is never repeated: it may be someone's real code.
    public var description: String {
        switch self {
        case .invalidCharacter: "not a coupon code: it holds a character coupon codes never use"
        case .wrongLength(let n): "not a coupon code: \(n) characters where a code has 23"
        case .badCheckCharacter: "not a coupon code: the check character does not match (mistyped or misread)"
        }
    }
}
