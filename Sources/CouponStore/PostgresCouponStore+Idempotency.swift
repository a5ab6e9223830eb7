import CouponCore
import Foundation
import NIOCore
import PostgresNIO

extension PostgresCouponStore {
    /// Runs `body` and records `render`'s response under `key` in the same transaction, or replays
    /// the response recorded for an earlier identical request.
    ///
    /// The key's row is claimed first (`INSERT ... ON CONFLICT DO NOTHING`): when two servers get
    /// the same key at once, the second's insert waits on the first's uncommitted row, finds it
    /// once the first commits, and replays its answer; one effect either way.
    func idempotentWrite<Value: Sendable>(
        _ key: IdempotencyKey, now: Instant, sealed: Bool = false,
        body: @escaping @Sendable (PostgresTransaction) async throws -> Value,
        render: @escaping @Sendable (Value) throws -> StoredResponse
    ) async throws -> Idempotent<Value> {
        let hasher = self.hasher
        return try await write { tx in
            let claimed = try await tx.changes(
                """
                INSERT INTO idempotency_keys (scope, key, request_hash, status, body, sealed, created_at)
                VALUES (\(key.scope), \(key.key), \(key.requestHash), 0, '\\x'::bytea, \(sealed), \(now.secondsSince1970))
                ON CONFLICT (scope, key) DO NOTHING RETURNING 1
                """)
            guard claimed == 1 else {
                guard
                    let row = try await tx.row(
                        """
                        SELECT request_hash, status, body, sealed FROM idempotency_keys
                        WHERE scope = \(key.scope) AND key = \(key.key)
                        """)
                else { throw StoreError(kind: .unavailable("an Idempotency-Key was being forgotten")) }
                guard try row.get("request_hash", as: String.self) == key.requestHash else {
                    throw IdempotencyKeyReused()
                }
                return .replay(try Self.storedResponse(row, hasher: hasher))
            }
            let value = try await body(tx)
            let response = try render(value)
            let stored = sealed ? try hasher.seal(response.body) : response.body
            try await tx.execute(
                """
                UPDATE idempotency_keys SET status = \(Int64(response.status)), body = \(ByteBuffer(bytes: stored))
                WHERE scope = \(key.scope) AND key = \(key.key)
                """)
            return .fresh(value, response)
        }
    }

    public func storedResponse(scope: String, key: String) async throws -> StoredResponse? {
        let hasher = self.hasher
        return try await read { tx in
            try await tx.row(
                "SELECT status, body, sealed FROM idempotency_keys WHERE scope = \(scope) AND key = \(key)"
            ).map { try Self.storedResponse($0, hasher: hasher) }
        }
    }

    static func storedResponse(_ row: PostgresStoreRow, hasher: CodeHasher) throws -> StoredResponse {
        var buffer = try row.get("body", as: ByteBuffer.self)
        let body = buffer.readBytes(length: buffer.readableBytes) ?? []
        let status = Int(try row.get("status", as: Int64.self))
        guard try row.get("sealed", as: Bool.self) else { return StoredResponse(status: status, body: body) }
        do {
            return StoredResponse(status: status, body: try hasher.open(body))
        } catch {
            throw IdempotencyReplayUnreadable()
        }
    }

    public func settle(
        _ request: SettleRequest, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (SettlementOutcome) throws -> StoredResponse
    ) async throws -> Idempotent<SettlementOutcome> {
        let hashes = hasher.hashes(request.code)
        return try await idempotentWrite(
            idempotency, now: now, body: { tx in try await Self.settle(tx, request, codeHashes: hashes, now: now) },
            render: render)
    }

    public func capture(
        settlementID: String, amount: Money?, station: String?, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse
    ) async throws -> Idempotent<Result<SettlementRecord, SettlementError>> {
        try await idempotentWrite(
            idempotency, now: now,
            body: { tx in
                try await Self.capture(tx, settlementID: settlementID, amount: amount, station: station, now: now)
            }, render: render)
    }

    public func void(
        settlementID: String, station: String?, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse
    ) async throws -> Idempotent<Result<SettlementRecord, SettlementError>> {
        try await idempotentWrite(
            idempotency, now: now,
            body: { tx in try await Self.void(tx, settlementID: settlementID, station: station, now: now) },
            render: render)
    }

    public func purgeIdempotencyKeys(before: Instant) async throws -> Int {
        try await write { tx in
            try await tx.changes(
                "DELETE FROM idempotency_keys WHERE created_at < \(before.secondsSince1970) RETURNING 1")
        }
    }
}
