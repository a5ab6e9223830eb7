import CouponCore
import Foundation
import GRDB

extension SQLiteCouponStore {
    /// Runs `body` and records `render`'s response under `key` in the same write transaction, or
    /// replays the response recorded for an earlier identical request. A `sealed` response (one
    /// holding coupon codes) is stored encrypted under the server secret.
    func idempotentWrite<Value: Sendable>(
        _ key: IdempotencyKey, now: Instant, grouped: Bool = false, sealed: Bool = false,
        body: @escaping @Sendable (Database) throws -> Value,
        render: @escaping @Sendable (Value) throws -> StoredResponse
    ) async throws -> Idempotent<Value> {
        let hasher = self.hasher
        let work: @Sendable (Database) throws -> Idempotent<Value> = { db in
            if let row = try db.row(
                sql: "SELECT request_hash, status, body, sealed FROM idempotency_keys WHERE scope = ? AND key = ?",
                arguments: [key.scope, key.key])
            {
                guard row["request_hash"] == key.requestHash else { throw IdempotencyKeyReused() }
                return .replay(try Self.storedResponse(row, hasher: hasher))
            }
            let value = try body(db)
            let response = try render(value)
            let stored = sealed ? try hasher.seal(response.body) : response.body
            try db.run(
                sql: """
                    INSERT INTO idempotency_keys (scope, key, request_hash, status, body, sealed, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.scope, key.key, key.requestHash, response.status, Data(stored), sealed,
                    now.secondsSince1970,
                ])
            return .fresh(value, response)
        }
        return grouped ? try await group.write(work) : try await pool.write(work)
    }

    public func storedResponse(scope: String, key: String) async throws -> StoredResponse? {
        let hasher = self.hasher
        return try await pool.read { db in
            try db.row(
                sql: "SELECT status, body, sealed FROM idempotency_keys WHERE scope = ? AND key = ?",
                arguments: [scope, key]
            ).map { try Self.storedResponse($0, hasher: hasher) }
        }
    }

    /// A stored response row, opened when it was sealed.
    static func storedResponse(_ row: Row, hasher: CodeHasher) throws -> StoredResponse {
        let body = [UInt8](row["body"] as Data)
        guard row["sealed"] else { return StoredResponse(status: row["status"], body: body) }
        do {
            return StoredResponse(status: row["status"], body: try hasher.open(body))
        } catch {
            throw IdempotencyReplayUnreadable()
        }
    }

    public func settle(
        _ request: SettleRequest, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (SettlementOutcome) throws -> StoredResponse
    ) async throws -> Idempotent<SettlementOutcome> {
        let hashes = hasher.hashes(request.code)
        let states = phoneStates
        return try await idempotentWrite(
            idempotency, now: now, grouped: true,
            body: { db in try Self.settle(db, request, codeHashes: hashes, states: states, now: now) },
            render: render)
    }

    public func capture(
        settlementID: String, amount: Money?, station: String?, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse
    ) async throws -> Idempotent<Result<SettlementRecord, SettlementError>> {
        let states = phoneStates
        return try await idempotentWrite(
            idempotency, now: now,
            body: { db in
                try Self.capture(
                    db, settlementID: settlementID, amount: amount, station: station, states: states, now: now)
            },
            render: render)
    }

    public func void(
        settlementID: String, station: String?, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse
    ) async throws -> Idempotent<Result<SettlementRecord, SettlementError>> {
        let states = phoneStates
        return try await idempotentWrite(
            idempotency, now: now,
            body: { db in try Self.void(db, settlementID: settlementID, station: station, states: states, now: now) },
            render: render)
    }

    public func purgeIdempotencyKeys(before: Instant) async throws -> Int {
        try await pool.write { db in
            try db.run(
                sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [before.secondsSince1970])
            return db.changesCount
        }
    }
}
