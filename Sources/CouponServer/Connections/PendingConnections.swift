import NIOCore
import Synchronization

/// The connections that have not yet sent a whole request header, oldest first. Shared by every
/// event loop, behind a mutex; when full, adding one closes the oldest.
final class PendingConnections: Sendable {
    private struct State {
        var next: UInt64 = 0
        var waiting: [ObjectIdentifier: (order: UInt64, channel: any Channel)] = [:]
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// How many wait now.
    var count: Int { state.withLock { $0.waiting.count } }

    /// Records `channel` as waiting; returns the oldest one it displaced (already forgotten), which
    /// the caller closes outside the lock.
    func add(_ channel: any Channel) -> (any Channel)? {
        state.withLock { state in
            var evicted: (any Channel)? = nil
            if state.waiting.count >= capacity, let oldest = state.waiting.min(by: { $0.value.order < $1.value.order })
            {
                state.waiting[oldest.key] = nil
                evicted = oldest.value.channel
            }
            state.waiting[ObjectIdentifier(channel)] = (state.next, channel)
            state.next += 1
            return evicted
        }
    }

    /// Forgets `channel` (its header arrived, or it closed).
    func remove(_ channel: any Channel) {
        _ = state.withLock { $0.waiting.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
