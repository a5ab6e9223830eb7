import CouponCore
import Crypto
import Foundation

/// Keys the coupon-code hash with a server secret (HMAC-SHA256), so a database backup is not a
/// wallet: without the secret the stored hashes cannot be matched to codes.
///
/// The secret can be rotated by versions: new codes are hashed (and new replies sealed) under the
/// newest secret, lookups try every live version, and a coupon found under an older one is moved
/// to the newest when it is next settled (docs/operations.md).
public struct CodeHasher: Sendable {
    /// The live secrets, newest first, with their version numbers. (A `SymmetricKey` is not
    /// `Sendable`; one is made per hash, which is cheap.)
    private let versions: [(version: Int, secret: [UInt8])]

    /// One secret, version 1.
    public init(secret: [UInt8]) {
        self.init(versions: [(1, secret)])
    }

    /// Several live secrets by version; the highest version hashes new codes.
    public init(versions: [(version: Int, secret: [UInt8])]) {
        precondition(!versions.isEmpty, "at least one code-hash secret is needed")
        precondition(versions.allSatisfy { $0.secret.count >= 32 }, "a code-hash secret has at least 32 bytes")
        self.versions = versions.sorted { $0.version > $1.version }
    }

    /// The version new codes are hashed under.
    public var currentVersion: Int { versions[0].version }

    /// The live secrets (for the check values a shared database keeps; never logged).
    var secretVersions: [(version: Int, secret: [UInt8])] { versions }

    /// A fresh random secret of 32 bytes.
    public static func newSecret() -> [UInt8] { SecureID.bytes(32) }

    /// Encrypts a stored response that holds codes (AES-GCM under a key derived from the newest
    /// secret), so the replay of an issue can be kept without keeping its codes readable.
    public func seal(_ bytes: [UInt8]) throws -> [UInt8] {
        let box = try AES.GCM.seal(bytes, using: Self.responseKey(versions[0].secret))
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return [UInt8](combined)
    }

    /// Decrypts what ``seal(_:)`` made under any live secret; throws when it was altered or
    /// sealed under a secret no longer live.
    public func open(_ sealed: [UInt8]) throws -> [UInt8] {
        let box = try AES.GCM.SealedBox(combined: sealed)
        var last: any Error = CryptoKitError.authenticationFailure
        for version in versions {
            do { return [UInt8](try AES.GCM.open(box, using: Self.responseKey(version.secret))) } catch { last = error }
        }
        throw last
    }

    private static func responseKey(_ secret: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Data("coupon stored responses v1".utf8),
            outputByteCount: 32)
    }

    /// The hex HMAC of the code's canonical form under the newest secret.
    public func hash(_ code: CouponCode) -> String {
        Self.hash(code, secret: versions[0].secret)
    }

    /// The code's hash under every live secret, newest first: what a lookup matches.
    public func hashes(_ code: CouponCode) -> CodeHashes {
        CodeHashes(hashes: versions.map { Self.hash(code, secret: $0.secret) }, currentVersion: currentVersion)
    }

    private static func hash(_ code: CouponCode, secret: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(code.value.utf8), using: SymmetricKey(data: secret)).hex
    }
}

/// A code's hashes under every live secret, newest first, and the newest secret's version.
public struct CodeHashes: Sendable {
    public let hashes: [String]
    public let currentVersion: Int
}
