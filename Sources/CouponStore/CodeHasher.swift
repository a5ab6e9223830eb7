import CouponCore
import Crypto
import Foundation

/// Keys the coupon-code hash with a server secret (HMAC-SHA256), so a database backup is not a
/// wallet: without the secret the stored hashes cannot be matched to codes.
public struct CodeHasher: Sendable {
    /// The secret's bytes (a `SymmetricKey` is not `Sendable`; one is made per hash, which is cheap).
    private let secret: [UInt8]

    public init(secret: [UInt8]) {
        precondition(secret.count >= 32, "the code-hash secret must have at least 32 bytes")
        self.secret = secret
    }

    /// A fresh random secret of 32 bytes.
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The hex HMAC of the code's canonical form.
    public func hash(_ code: CouponCode) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(code.value.utf8), using: SymmetricKey(data: secret))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
