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
            if let replay = try await Self.claim(tx, key, now: now, sealed: sealed, hasher: hasher) {
                return .replay(replay)
            }
            let value = try await body(tx)
            let response = try render(value)
            try await Self.storeAnswer(tx, key, response, sealed: sealed, hasher: hasher)
            return .fresh(value, response)
        }
    }

    /// Claims `key` in the caller's transaction: nil when this request claimed it, or the answer
    /// recorded under it by the request that did.
    /// - Throws: ``IdempotencyKeyReused`` when that request was another one.
    static func claim(_ tx: PostgresTransaction, _ key: IdempotencyKey, now: Instant, sealed: Bool, hasher: CodeHasher)
        async throws -> StoredResponse?
    {
        let claimed = try await tx.rows(ClaimKeyStatement(key: key, sealed: sealed, now: now.secondsSince1970))
        if !claimed.isEmpty { return nil }
        guard
            let row = try await tx.row(
                """
                SELECT request_hash, status, body, sealed FROM idempotency_keys
                WHERE scope = \(key.scope) AND key = \(key.key)
                """)
        else { throw StoreError(kind: .unavailable("an Idempotency-Key was being forgotten")) }
        guard try row.get("request_hash", as: String.self) == key.requestHash else { throw IdempotencyKeyReused() }
        return try Self.storedResponse(row, hasher: hasher)
    }

    /// Records the answer under a key this transaction claimed.
    static func storeAnswer(
        _ tx: PostgresTransaction, _ key: IdempotencyKey, _ response: StoredResponse, sealed: Bool, hasher: CodeHasher
    ) async throws {
        let stored = sealed ? try hasher.seal(response.body) : response.body
        try await tx.execute(
            """
            UPDATE idempotency_keys SET status = \(Int64(response.status)), body = \(ByteBuffer(bytes: stored))
            WHERE scope = \(key.scope) AND key = \(key.key)
            """)
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
        // The approved sale's answer is stored by the statement that writes the sale.
        let hashes = hasher.hashes(request.code)
        let hasher = self.hasher, states = phoneStates
        return try await write { tx in
            if let replay = try await Self.claim(tx, idempotency, now: now, sealed: false, hasher: hasher) {
                return .replay(replay)
            }
            let (outcome, stored) = try await Self.settle(
                tx, request, codeHashes: hashes, states: states, now: now, answer: (idempotency, render))
            if let stored { return .fresh(outcome, stored) }
            let response = try render(outcome)
            try await Self.storeAnswer(tx, idempotency, response, sealed: false, hasher: hasher)
            return .fresh(outcome, response)
        }
    }

    public func capture(
        settlementID: String, amount: Money?, station: String?, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse
    ) async throws -> Idempotent<Result<SettlementRecord, SettlementError>> {
        let states = phoneStates
        return try await idempotentWrite(
            idempotency, now: now,
            body: { tx in
                try await Self.capture(
                    tx, settlementID: settlementID, amount: amount, station: station, states: states, now: now)
            }, render: render)
    }

    public func void(
        settlementID: String, station: String?, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse
    ) async throws -> Idempotent<Result<SettlementRecord, SettlementError>> {
        let states = phoneStates
        return try await idempotentWrite(
            idempotency, now: now,
            body: { tx in
                try await Self.void(tx, settlementID: settlementID, station: station, states: states, now: now)
            },
            render: render)
    }

    public func purgeIdempotencyKeys(before: Instant) async throws -> Int {
        try await write { tx in
            try await tx.changes(
                "DELETE FROM idempotency_keys WHERE created_at < \(before.secondsSince1970) RETURNING 1")
        }
    }
}
