import Foundation
import GRDB
import Synchronization

/// Group commit: settlements that arrive while a write transaction is running wait for it, then
/// all go together in the next one, each inside its own savepoint (so one that fails rolls back
/// alone). One transaction, one fsync, many settlements. Nobody is answered before the
/// transaction holding their work has committed, so an answer still means durable.
final class GroupCommit: Sendable {
    /// One caller's work and where its answer goes.
    private final class Job: @unchecked Sendable {  // Touched by the writer task only, then resumed once.
        let work: (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
        var result: Result<any Sendable, any Error> = .failure(CancellationError())

        init(
            work: @escaping (Database) throws -> any Sendable,
            continuation: CheckedContinuation<any Sendable, any Error>
        ) {
            self.work = work
            self.continuation = continuation
        }
    }

    private struct State {
        var pending: [Job] = []
        var writing = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// At most this many jobs per transaction, so one transaction stays short.
    let maxBatch: Int

    init(pool: DatabasePool, maxBatch: Int = 256) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Runs `work` in a savepoint of the next group transaction and returns its result after commit.
    func write<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        let value = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<any Sendable, any Error>) in
            let job = Job(work: { db in try work(db) }, continuation: continuation)
            let start = state.withLock { state -> Bool in
                state.pending.append(job)
                if state.writing { return false }
                state.writing = true
                return true
            }
            if start { Task.detached { await self.drain() } }
        }
        return value as! Value  // The job's closure returned a Value.
    }

    /// Writes batches until nothing is pending.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await pool.write { db in
                    for job in batch {
                        do {
                            var value: (any Sendable)?
                            try db.inSavepoint {
                                value = try job.work(db)
                                return .commit
                            }
                            job.result = .success(value!)
                        } catch {
                            job.result = .failure(error)
                        }
                    }
                }
                for job in batch { job.continuation.resume(with: job.result) }
            } catch {
                // The transaction itself failed (disk full, I/O): nothing of it was kept.
                for job in batch { job.continuation.resume(throwing: error) }
            }
        }
    }
}
