import CouponAPI
import Foundation
import Hummingbird
import Synchronization

/// Limits guessing, in one-minute windows, without letting one caller lock out another:
/// - a call with a valid key counts its failed code lookups and unknown-code settlements against
///   that key only (another till, or the admin, behind the same NAT is not slowed);
/// - a call without a key, or with a key that does not verify, counts against the client's
///   address (through the trusted proxies).
/// Past `limit`, that key's or address's such calls get 429 until the window turns.
final class FailureLimiter: Sendable {
    private let limit: Int
    private let counts: MinuteCounts

    init(limit: Int, counts: MinuteCounts = MinuteCounts()) {
        self.limit = limit
        self.counts = counts
    }

    /// The one counter a call is charged to: its key when it has a valid one, else its address.
    static func name(keyID: String?, address: String) -> String {
        keyID.map { "key:" + $0 } ?? "address:" + address
    }

    /// Throws 429 when this key (or, without a valid key, this address) failed too often this minute.
    func check(keyID: String?, address: String) throws {
        guard counts.count(Self.name(keyID: keyID, address: address)) < limit else {
            let who = keyID == nil ? "this address" : "this key"
            throw APIError.rateLimited("too many failed attempts from \(who); wait a minute")
        }
    }

    func failed(keyID: String?, address: String) {
        counts.add(Self.name(keyID: keyID, address: address))
    }
}

/// Counts per name over the current and the previous minute, behind a mutex: cheap enough for the
/// settle path, where an actor would cost a hop per request. Counting the previous minute too means
/// a count never drops to zero at a minute's turn (a fixed window would let a guesser spend two
/// limits across the turn, and would let a test that crosses it see the count vanish).
final class MinuteCounts: Sendable {
    private struct State {
        var window: Int64 = 0
        var current: [String: Int] = [:]
        var previous: [String: Int] = [:]

        mutating func roll(at seconds: Int64) {
            let minute = seconds / 60
            guard minute != window else { return }
            previous = minute == window + 1 ? current : [:]
            current.removeAll(keepingCapacity: true)
            window = minute
        }

        func total(_ name: String) -> Int { current[name, default: 0] + previous[name, default: 0] }
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> Int64

    /// - Parameter clock: seconds since 1970 (tests move it by hand).
    init(clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.clock = clock
    }

    /// The count for `name` over this minute and the last.
    func count(_ name: String) -> Int {
        let now = clock()
        return state.withLock { state in
            state.roll(at: now)
            return state.total(name)
        }
    }

    /// Adds one to `name` and returns the new count (this minute and the last).
    @discardableResult
    func add(_ name: String) -> Int {
        let now = clock()
        return state.withLock { state in
            state.roll(at: now)
            state.current[name, default: 0] += 1
            return state.total(name)
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
