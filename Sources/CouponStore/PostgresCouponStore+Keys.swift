import CouponCore
import Foundation
import PostgresNIO

extension PostgresCouponStore {
    public func createKey(role: Principal.Role, station: String?, now: Instant) async throws -> (
        key: String, principal: Principal
    ) {
        let (key, principal, hash) = SQLiteCouponStore.newKeyParts(role: role, station: station, name: nil)
        try await write { tx in try await Self.insertKey(tx, principal, hash: hash, now: now) }
        return (key, principal)
    }

    public func createKey(
        role: Principal.Role, station: String?, name: String? = nil, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (String, Principal) throws -> StoredResponse
    ) async throws -> Idempotent<Principal> {
        let (key, principal, hash) = SQLiteCouponStore.newKeyParts(role: role, station: station, name: name)
        guard let idempotency else {
            try await write { tx in try await Self.insertKey(tx, principal, hash: hash, now: now) }
            return .fresh(principal, try render(key, principal))
        }
        return try await idempotentWrite(
            idempotency, now: now, sealed: true,
            body: { tx in
                try await Self.insertKey(tx, principal, hash: hash, now: now)
                return principal
            }, render: { _ in try render(key, principal) })
    }

    static func insertKey(_ tx: PostgresTransaction, _ principal: Principal, hash: String, now: Instant) async throws {
        if let name = principal.name, try await tx.row("SELECT 1 FROM api_keys WHERE name = \(name)") != nil {
            throw AdminError.wrongState("an admin key named '\(name)' exists already")
        }
        try await tx.execute(
            """
            INSERT INTO api_keys (id, key_hash, role, station, name, created_at)
            VALUES (\(principal.keyID), \(hash), \(principal.role.rawValue), \(principal.station), \(principal.name),
                \(now.secondsSince1970))
            """)
    }

    public func principal(forKey key: String) async throws -> Principal? {
        let hash = SQLiteCouponStore.keyHash(key)
        return try await read { tx in
            guard
                let row = try await tx.row(
                    "SELECT id, role, station, name FROM api_keys WHERE key_hash = \(hash) AND revoked_at IS NULL")
            else { return nil }
            guard let role = Principal.Role(rawValue: try row.get("role")) else {
                throw StoreError(kind: .corruptRow("key role"))
            }
            return Principal(
                keyID: try row.get("id"), role: role, station: try row.get("station"), name: try row.get("name"))
        }
    }

    public func keyCount() async throws -> Int {
        try await read { tx in
            Int(try await tx.row("SELECT COUNT(*) AS n FROM api_keys")?.get("n", as: Int64.self) ?? 0)
        }
    }

    public func keys() async throws -> [KeyInfo] {
        try await read { tx in
            try await tx.rows("SELECT * FROM api_keys ORDER BY created_at, id").map { row in
                let revoked: Int64? = try row.get("revoked_at")
                return KeyInfo(
                    id: try row.get("id"), role: Principal.Role(rawValue: try row.get("role")) ?? .station,
                    station: try row.get("station"), name: try row.get("name"),
                    createdAt: Instant(secondsSince1970: try row.get("created_at")),
                    revokedAt: revoked.map(Instant.init))
            }
        }
    }

    public func revokeKey(id: String, now: Instant) async throws -> Bool {
        try await write { tx in
            try await tx.changes(
                """
                UPDATE api_keys SET revoked_at = \(now.secondsSince1970) WHERE id = \(id) AND revoked_at IS NULL
                RETURNING 1
                """) == 1
        }
    }

    /// Live coupons (not expired) per code-hash secret version.
    public func codeHashVersions() async throws -> [Int: Int] {
        try await read { tx in
            var counts: [Int: Int] = [:]
            for row in try await tx.rows(
                "SELECT hash_version, COUNT(*) AS n FROM coupons WHERE state <> 'expired' GROUP BY hash_version")
            {
                counts[Int(try row.get("hash_version", as: Int64.self))] = Int(try row.get("n", as: Int64.self))
            }
            return counts
        }
    }
}
