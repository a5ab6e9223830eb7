import Foundation
import Logging
import PostgresNIO
import Synchronization

/// One transaction on one leased connection: `BEGIN`, the statements, `COMMIT`, or `ROLLBACK`
/// when the body throws. (postgres-nio's own `withTransaction` wraps every error in its own type;
/// the store needs the body's typed errors as they were thrown.)
struct PostgresTransaction: Sendable {
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
    func write<Value: Sendable>(
        leaseTimeout timeout: Duration? = nil, _ body: @Sendable (PostgresTransaction) async throws -> Value
    ) async throws -> Value {
        var attempt = 0
        while true {
            do {
                return try await transaction(readOnly: false, timeout: timeout ?? leaseTimeout, body)
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
    func read<Value: Sendable>(_ body: @Sendable (PostgresTransaction) async throws -> Value) async throws -> Value {
        do {
            return try await transaction(readOnly: true, timeout: leaseTimeout, body)
        } catch {
            if let unavailable = StoreError.unavailable(error) { throw unavailable }
            throw error
        }
    }

    /// One transaction on a leased connection. The pool waits for a connection as long as the
    /// database is away (it retries connecting); a request does not: without a connection within
    /// `timeout` (``leaseTimeout`` for requests) it fails as unavailable, and nothing was done.
    private func transaction<Value: Sendable>(
        readOnly: Bool, timeout: Duration, _ body: @Sendable (PostgresTransaction) async throws -> Value
    ) async throws -> Value {
        let logger = self.logger
        let client = self.client
        let timeoutMilliseconds = Int(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let leased = LeaseFlag(), timedOut = LeaseFlag()
        return try await withoutActuallyEscaping(body) { body in
            // The body runs in a task of its own that the timer can cancel while it waits for a
            // lease; it is always awaited here, so the body does not outlive this call.
            let task = Task<Value, any Error> {
                try await client.withConnection { connection in
                    leased.set()
                    let tx = PostgresTransaction(connection: connection, logger: logger)
                    if readOnly {
                        try await tx.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    } else {
                        _ = try await tx.rows(BeginStatement())
                    }
                    let value: Value
                    do {
                        value = try await body(tx)
                    } catch {
                        try? await tx.execute("ROLLBACK")
                        throw error
                    }
                    if readOnly { try await tx.execute("COMMIT") } else { _ = try await tx.rows(CommitStatement()) }
                    return value
                }
            }
            let timer = DispatchWorkItem {
                guard !leased.isSet else { return }
                timedOut.set()
                task.cancel()
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeoutMilliseconds), execute: timer)
            defer { timer.cancel() }
            do {
                return try await withTaskCancellationHandler {
                    try await task.value
                } onCancel: {
                    task.cancel()
                }
            } catch {
                if timedOut.isSet, !leased.isSet {
                    throw StoreError(kind: .unavailable("no connection to the database within \(timeout)"))
                }
                throw error
            }
        }
    }

    /// 40001 serialization failure, 40P01 deadlock detected.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}

/// Set once a connection was leased (read by the lease timeout).
final class LeaseFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
