/// GS1 check digits for EAN-13, EAN-8, UPC-A and UPC-E, so a misread digit is refused before it can
/// charge the wrong product.
public enum GS1Check {
    /// True when `digits` (all ASCII digits) end in a valid GS1 mod-10 check digit.
    public static func isValid(_ digits: String) -> Bool {
        let values = digits.compactMap { $0.wholeNumberValue }
        guard values.count == digits.count, values.count >= 2 else { return false }
        return checkDigit(values.dropLast()) == values.last
    }

    /// The check digit for `body` (the digits without it): weights 3, 1, 3, ... from the right.
    public static func checkDigit<C: BidirectionalCollection<Int>>(_ body: C) -> Int {
        var sum = 0
        for (i, d) in body.reversed().enumerated() { sum += i % 2 == 0 ? 3 * d : d }
        return (10 - sum % 10) % 10
    }

    /// Expands an 8-digit UPC-E (number system, six digits, check) to its 12-digit UPC-A.
    public static func expandUPCE(_ upce: String) -> String? {
        let d = upce.compactMap { $0.wholeNumberValue }
        guard d.count == 8, d[0] == 0 || d[0] == 1 else { return nil }
        let (s, m, check) = (d[0], Array(d[1...6]), d[7])
        let body: [Int]
        switch m[5] {
        case 0, 1, 2: body = [s, m[0], m[1], m[5], 0, 0, 0, 0, m[2], m[3], m[4]]
        case 3: body = [s, m[0], m[1], m[2], 0, 0, 0, 0, 0, m[3], m[4]]
        case 4: body = [s, m[0], m[1], m[2], m[3], 0, 0, 0, 0, 0, m[4]]
        default: body = [s, m[0], m[1], m[2], m[3], m[4], 0, 0, 0, 0, m[5]]
        }
        return (body + [check]).map(String.init).joined()
    }
}
