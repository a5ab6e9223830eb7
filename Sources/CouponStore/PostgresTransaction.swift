import Foundation
import Logging
import PostgresNIO

/// One transaction on one leased connection: `BEGIN`, the statements, `COMMIT`, or `ROLLBACK`
/// when the body throws. (postgres-nio's own `withTransaction` wraps every error in its own type;
/// the store needs the body's typed errors as they were thrown.)
struct PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs a statement whose rows, if any, are not needed.
    func execute(_ query: PostgresQuery) async throws {
        try await connection.query(query, logger: logger).consume()
    }

    /// Every row of a query.
    func rows(_ query: PostgresQuery) async throws -> [PostgresStoreRow] {
        var result: [PostgresStoreRow] = []
        for try await row in try await connection.query(query, logger: logger) {
            result.append(PostgresStoreRow(row.makeRandomAccess()))
        }
        return result
    }

    /// The first row of a query, or nil.
    func row(_ query: PostgresQuery) async throws -> PostgresStoreRow? {
        try await rows(query).first
    }

    /// How many rows a statement with `RETURNING 1` touched.
    func changes(_ query: PostgresQuery) async throws -> Int {
        try await rows(query).count
    }
}

extension PostgresRowSequence {
    /// Reads every row so the connection is free for the next statement.
    func consume() async throws {
        for try await _ in self {}
    }
}

/// A row by column name, decoded with errors that say which column failed.
struct PostgresStoreRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRandomAccessRow) { self.row = row }

    func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard row.contains(column) else { throw StoreError(kind: .corruptRow("no column \(column)")) }
        do {
            return try row[column].decode(T.self)
        } catch {
            throw StoreError(kind: .corruptRow("column \(column): \(String(reflecting: error))"))
        }
    }

    /// A `NUMERIC` sum (PostgreSQL sums `BIGINT` without overflow), selected as `::text`.
    func wide(_ column: String) throws -> Int128 {
        let text = try get(column, as: String.self)
        guard let value = Int128(text) else { throw StoreError(kind: .corruptRow("column \(column): \(text)")) }
        return value
    }
}

extension PostgresCouponStore {
    /// Runs `body` in one transaction and commits it; rolls back when it throws. A deadlock or a
    /// serialization failure (another server's transaction won) is retried from the start, a
    /// few times, since nothing of the failed attempt was kept.
    func write<Value: Sendable>(_ body: (PostgresTransaction) async throws -> Value) async throws -> Value {
        var attempt = 0
        while true {
            do {
                return try await transaction(readOnly: false, body)
            } catch let error as PSQLError where attempt < 8 && Self.isRetryable(error) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            } catch {
                if let unavailable = StoreError.unavailable(error) { throw unavailable }
                throw error
            }
        }
    }

    /// Runs `body` in a read-only transaction (one consistent snapshot for its statements).
    func read<Value: Sendable>(_ body: (PostgresTransaction) async throws -> Value) async throws -> Value {
        do {
            return try await transaction(readOnly: true, body)
        } catch {
            if let unavailable = StoreError.unavailable(error) { throw unavailable }
            throw error
        }
    }

    private func transaction<Value: Sendable>(
        readOnly: Bool, _ body: (PostgresTransaction) async throws -> Value
    ) async throws -> Value {
        let logger = self.logger
        return try await client.withConnection { connection in
            let tx = PostgresTransaction(connection: connection, logger: logger)
            try await tx.execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
            let value: Value
            do {
                value = try await body(tx)
            } catch {
                try? await tx.execute("ROLLBACK")
                throw error
            }
            try await tx.execute("COMMIT")
            return value
        }
    }

    /// 40001 serialization failure, 40P01 deadlock detected.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}
