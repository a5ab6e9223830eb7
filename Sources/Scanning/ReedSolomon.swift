/// Reed-Solomon error and erasure correction over GF(256) as QR codes use it (field polynomial
/// 0x11D, generator roots α^0 ... α^(n-k-1), first codeword the highest power).
///
/// zbar corrects errors but takes no erasures: a module under glare is unknown, not wrong, and a
/// decoder told where the unknown codewords are corrects twice as many of them. The QR repair
/// (``QRRepair``) uses this to mend a sampled symbol before zbar decodes it.
enum ReedSolomon {
    /// α^i for i in 0..<510 (doubled so products need no modulo) and log α of 1...255.
    static let (exp, log): ([UInt8], [Int]) = {
        var exp = [UInt8](repeating: 0, count: 510), log = [Int](repeating: 0, count: 256)
        var x = 1
        for i in 0..<255 {
            exp[i] = UInt8(x)
            exp[i + 255] = UInt8(x)
            log[x] = i
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
        }
        return (exp, log)
    }()

    static func mul(_ a: UInt8, _ b: UInt8) -> UInt8 {
        a == 0 || b == 0 ? 0 : exp[log[Int(a)] + log[Int(b)]]
    }

    static func div(_ a: UInt8, _ b: UInt8) -> UInt8 {
        precondition(b != 0, "division by zero in GF(256)")
        return a == 0 ? 0 : exp[log[Int(a)] + 255 - log[Int(b)]]
    }

    /// α^e for any integer e.
    static func power(_ e: Int) -> UInt8 { exp[((e % 255) + 255) % 255] }

    /// The value of `poly` (index = degree) at `x`.
    static func evaluate(_ poly: [UInt8], at x: UInt8) -> UInt8 {
        var result: UInt8 = 0
        for coefficient in poly.reversed() { result = mul(result, x) ^ coefficient }
        return result
    }

    /// The syndromes S_j = r(α^j), j in 0..<parity.
    static func syndromes(_ block: [UInt8], parity: Int) -> [UInt8] {
        (0..<parity).map { j in
            var s: UInt8 = 0
            let root = power(j)
            for symbol in block { s = mul(s, root) ^ symbol }
            return s
        }
    }

    /// What correcting one block did.
    struct Correction: Equatable {
        /// The block with every error and erasure mended.
        var block: [UInt8]
        /// Positions whose value changed.
        var changed: [Int]
        /// Errors found beyond the erasures given.
        var errors: Int
    }

    /// Corrects `block` (data then ECC codewords, `parity` of them) given the positions of
    /// codewords known to be unreliable. Succeeds when 2 x errors + erasures <= parity - `margin`;
    /// the margin keeps spare parity to detect a block damaged beyond repair instead of
    /// "correcting" it into another valid block.
    /// - Returns: the corrected block, or nil when it cannot be corrected.
    static func correct(_ block: [UInt8], parity: Int, erasures: [Int], margin: Int = 0) -> Correction? {
        let n = block.count
        guard parity > 0, n <= 255, erasures.count + margin <= parity else { return nil }
        let s = syndromes(block, parity: parity)
        if s.allSatisfy({ $0 == 0 }) { return Correction(block: block, changed: [], errors: 0) }
        // Position p holds the coefficient of x^(n-1-p); its locator is X = α^(n-1-p).
        let locator = { (p: Int) in power(n - 1 - p) }
        // The erasure locator Γ(x) = Π (1 - X_k x), index = degree.
        var gamma: [UInt8] = [1]
        for p in Set(erasures) where (0..<n).contains(p) {
            gamma = multiply(gamma, [1, locator(p)])
        }
        let e = gamma.count - 1
        // Berlekamp-Massey started from the erasure locator (Blahut).
        var lambda = gamma, b = gamma, l = e
        for r in stride(from: e + 1, through: parity, by: 1) {
            var delta: UInt8 = 0
            for j in 0..<lambda.count where r - 1 - j >= 0 { delta ^= mul(lambda[j], s[r - 1 - j]) }
            let shifted = [0] + b
            if delta == 0 {
                b = shifted
            } else if 2 * l <= r - 1 + e {
                let t = add(lambda, scale(shifted, delta))
                b = scale(lambda, div(1, delta))
                l = r + e - l
                lambda = t
            } else {
                lambda = add(lambda, scale(shifted, delta))
                b = shifted
            }
        }
        while lambda.count > 1 && lambda.last == 0 { lambda.removeLast() }
        let degree = lambda.count - 1
        let errors = degree - e
        guard errors >= 0, 2 * errors + e + margin <= parity else { return nil }
        // Chien search: the roots of Λ are the inverses of the errata locators.
        var positions: [Int] = []
        for p in 0..<n where evaluate(lambda, at: div(1, locator(p))) == 0 { positions.append(p) }
        guard positions.count == degree else { return nil }
        // Forney, for generator roots from α^0: e_k = X_k Ω(X_k^-1) / Λ'(X_k^-1).
        var omega = multiply(s, lambda)
        omega.removeLast(max(0, omega.count - parity))
        var derivative = [UInt8](repeating: 0, count: max(1, lambda.count - 1))
        for i in stride(from: 1, to: lambda.count, by: 2) { derivative[i - 1] = lambda[i] }
        var fixed = block
        var changed: [Int] = []
        for p in positions {
            let x = locator(p), inverse = div(1, x)
            let denominator = evaluate(derivative, at: inverse)
            guard denominator != 0 else { return nil }
            let magnitude = mul(x, div(evaluate(omega, at: inverse), denominator))
            if magnitude != 0 { changed.append(p) }
            fixed[p] ^= magnitude
        }
        guard syndromes(fixed, parity: parity).allSatisfy({ $0 == 0 }) else { return nil }
        return Correction(block: fixed, changed: changed, errors: errors)
    }

    static func multiply(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var product = [UInt8](repeating: 0, count: a.count + b.count - 1)
        for (i, x) in a.enumerated() where x != 0 {
            for (j, y) in b.enumerated() { product[i + j] ^= mul(x, y) }
        }
        return product
    }

    static func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var sum = a.count >= b.count ? a : b
        for (i, y) in (a.count >= b.count ? b : a).enumerated() { sum[i] ^= y }
        return sum
    }

    static func scale(_ a: [UInt8], _ factor: UInt8) -> [UInt8] { a.map { mul($0, factor) } }
}
