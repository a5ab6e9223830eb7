import CouponCore
import Crypto
import Foundation
import _CryptoExtras

/// Console passwords, kept as scrypt hashes (swift-crypto's `_CryptoExtras`) in the text form
/// `scrypt$N$r$p$SALT$HASH` (salt and hash in base64), so the cost can rise later without
/// breaking the hashes already stored.
enum PasswordHash {
    /// scrypt's cost: 2^15 rounds of 8-block mixing, about 32 MiB and a few tens of ms here.
    static let rounds = 1 << 15
    static let blockSize = 8
    static let parallelism = 1

    static func make(_ password: String) throws -> String {
        let salt = SecureID.bytes(16)
        let hash = try derive(password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        return "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(hash.base64EncodedString())"
    }

    /// Whether `password` is the one `stored` was made from (compared in constant time). A
    /// malformed stored hash matches nothing.
    static func verify(_ password: String, against stored: String) -> Bool {
        let fields = stored.split(separator: "$").map(String.init)
        guard fields.count == 6, fields[0] == "scrypt", let rounds = Int(fields[1]), let blockSize = Int(fields[2]),
            let parallelism = Int(fields[3]), let salt = Data(base64Encoded: fields[4]),
            let expected = Data(base64Encoded: fields[5]), rounds <= 1 << 20, blockSize <= 32, parallelism <= 4,
            let hash = try? derive(password, salt: [UInt8](salt), rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        else { return false }
        return ConsoleToken.same(hash, expected)
    }

    /// A hash of a random password, checked when the user does not exist so that an unknown name
    /// takes as long as a wrong password. Should scrypt fail here, the stand-in has the same cost
    /// and an all-zero hash, which no password derives in practice.
    static let decoy: String =
        (try? make(SecureID.hex(32)))
        ?? "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(Data(count: 16).base64EncodedString())$\(Data(count: 32).base64EncodedString())"

    private static func derive(_ password: String, salt: [UInt8], rounds: Int, blockSize: Int, parallelism: Int)
        throws -> Data
    {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: rounds, blockSize: blockSize,
            parallelism: parallelism, maxMemory: 256 * 1024 * 1024)
        return key.withUnsafeBytes { Data($0) }
    }
}

/// The console's random tokens: session ids and CSRF tokens (32 bytes from the system's
/// cryptographic generator, base64url), and the hash a session id is stored under.
enum ConsoleToken {
    static func make() -> String {
        Data(SecureID.bytes(32)).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of a session id.
    static func hash(_ id: String) -> String {
        Array(SHA256.hash(data: Data(id.utf8))).hex
    }

    static func same(_ a: some DataProtocol, _ b: some DataProtocol) -> Bool {
        let x = Array(a), y = Array(b)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
