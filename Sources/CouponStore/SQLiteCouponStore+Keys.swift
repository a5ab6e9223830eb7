import CouponCore
import Crypto
import Foundation
import GRDB

extension SQLiteCouponStore {
    public func createKey(role: Principal.Role, station: String?, now: Instant) async throws -> (
        key: String, principal: Principal
    ) {
        let (key, principal, work) = Self.newKey(role: role, station: station, now: now)
        try await pool.write(work)
        return (key, principal)
    }

    public func createKey(
        role: Principal.Role, station: String?, name: String? = nil, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (String, Principal) throws -> StoredResponse
    ) async throws -> Idempotent<Principal> {
        let (key, principal, work) = Self.newKey(role: role, station: station, name: name, now: now)
        guard let idempotency else {
            try await pool.write(work)
            return .fresh(principal, try render(key, principal))
        }
        return try await idempotentWrite(
            idempotency, now: now, sealed: true,
            body: { db in
                try work(db); return principal
            },
            render: { _ in try render(key, principal) })
    }

    /// A fresh key, its principal, and the write that records its hash.
    static func newKey(role: Principal.Role, station: String?, name: String? = nil, now: Instant) -> (
        String, Principal, @Sendable (Database) throws -> Void
    ) {
        let (key, principal, hash) = newKeyParts(role: role, station: station, name: name)
        return (
            key, principal,
            { db in
                if let name = principal.name,
                    try Bool.fetchOne(db, sql: "SELECT 1 FROM api_keys WHERE name = ?", arguments: [name]) == true
                {
                    throw AdminError.wrongState("an admin key named '\(name)' exists already")
                }
                try db.execute(
                    sql:
                        "INSERT INTO api_keys (id, key_hash, role, station, name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        principal.keyID, hash, role.rawValue, principal.station, principal.name, now.secondsSince1970,
                    ])
            }
        )
    }

    /// A fresh key (160 random bits), its principal and its hash: what both stores record.
    static func newKeyParts(role: Principal.Role, station: String?, name: String?) -> (String, Principal, String) {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var generator = SystemRandomNumberGenerator()
        let secret = String((0..<32).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] })
        let key = "ck_" + secret
        let principal = Principal(
            keyID: newID("key"), role: role, station: role == .station ? station : nil,
            name: role == .admin ? name : nil)
        return (key, principal, keyHash(key))
    }

    public func principal(forKey key: String) async throws -> Principal? {
        let hash = Self.keyHash(key)
        return try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, role, station, name FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                    arguments: [hash])
            else { return nil }
            guard let role = Principal.Role(rawValue: row["role"]) else {
                throw StoreError(kind: .corruptRow("key role"))
            }
            return Principal(keyID: row["id"], role: role, station: row["station"], name: row["name"])
        }
    }

    public func keyCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_keys") ?? 0 }
    }

    /// Keys are 160 random bits, so a plain SHA-256 is enough to keep them unusable at rest; the
    /// lookup is by hash, so no comparison of secrets happens in our code.
    static func keyHash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).hex
    }
}

extension SQLiteCouponStore {
    /// True when the file can be read now.
    public func isReady() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// Live coupons (not expired) per code-hash secret version: when a version holds none, its
    /// secret can be retired.
    public func codeHashVersions() async throws -> [Int: Int] {
        try await pool.read { db in
            var counts: [Int: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT hash_version, COUNT(*) AS n FROM coupons WHERE state != 'expired' GROUP BY hash_version")
            {
                counts[row["hash_version"]] = row["n"]
            }
            return counts
        }
    }
}
