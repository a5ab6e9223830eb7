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

    /// Encrypts a stored response that holds codes (AES-GCM under a key derived from the secret),
    /// so the replay of an issue can be kept without keeping its codes readable.
    public func seal(_ bytes: [UInt8]) throws -> [UInt8] {
        let box = try AES.GCM.seal(bytes, using: responseKey)
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return [UInt8](combined)
    }

    /// Decrypts what ``seal(_:)`` made; throws when it was altered or sealed under another secret.
    public func open(_ sealed: [UInt8]) throws -> [UInt8] {
        [UInt8](try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: responseKey))
    }

    private var responseKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Data("coupon stored responses v1".utf8),
            outputByteCount: 32)
    }

    /// The hex HMAC of the code's canonical form.
    public func hash(_ code: CouponCode) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(code.value.utf8), using: SymmetricKey(data: secret))
        return mac.hex
    }
}
