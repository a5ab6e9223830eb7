import Foundation
import Hummingbird
import Synchronization

/// Limits guessing: failed code lookups and settlements against unknown or malformed codes count
/// per key and per client address in one-minute windows; past `limit` either way, such requests
/// get 429 until the window ends.
final class FailureLimiter: Sendable {
    private let limit: Int
    private let counts = MinuteCounts()

    init(limit: Int) { self.limit = limit }

    /// Throws 429 when this key or address has failed too often this minute.
    func check(key: String, address: String) throws {
        guard counts.count("key:" + key) < limit, counts.count("address:" + address) < limit else {
            throw APIError(
                .tooManyRequests, "rate_limited", "too many failed code lookups from this key or address; wait a minute"
            )
        }
    }

    func failed(key: String, address: String) {
        counts.add("key:" + key)
        counts.add("address:" + address)
    }
}

/// Counts per name in the current minute (a fixed window), behind a mutex: cheap enough for the
/// settle path, where an actor would cost a hop per request.
final class MinuteCounts: Sendable {
    private struct State {
        var window: Int64 = 0
        var counts: [String: Int] = [:]

        mutating func roll() {
            let minute = Int64(Date().timeIntervalSince1970) / 60
            if minute != window {
                window = minute
                counts.removeAll(keepingCapacity: true)
            }
        }
    }

    private let state = Mutex(State())

    /// This minute's count for `name`.
    func count(_ name: String) -> Int {
        state.withLock { state in
            state.roll()
            return state.counts[name, default: 0]
        }
    }

    /// Adds one to `name` and returns the new count.
    @discardableResult
    func add(_ name: String) -> Int {
        state.withLock { state in
            state.roll()
            state.counts[name, default: 0] += 1
            return state.counts[name]!
        }
    }
}

extension AppRequestContext {
    /// The client's address: the peer, or, when the peer is a trusted proxy, the last address in
    /// `X-Forwarded-For` that is not one of the trusted proxies.
    func clientAddress(_ request: Request, trustedProxies: [String]) -> String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = request.headers[.init("X-Forwarded-For")!] else {
            return peer
        }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return hops.last { !trustedProxies.contains($0) } ?? peer
    }
}
