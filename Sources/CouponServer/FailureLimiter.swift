import Foundation
import Hummingbird

/// Limits guessing: failed code lookups and settlements against unknown or malformed codes count
/// per key and per client address in one-minute windows; past `limit` either way, such requests
/// get 429 until the window ends.
actor FailureLimiter {
    private let limit: Int
    private var window: Int64 = 0
    private var byKey: [String: Int] = [:]
    private var byAddress: [String: Int] = [:]

    init(limit: Int) { self.limit = limit }

    /// Throws 429 when this key or address has failed too often this minute.
    func check(key: String, address: String) throws {
        roll()
        guard byKey[key, default: 0] < limit, byAddress[address, default: 0] < limit else {
            throw APIError(
                .tooManyRequests, "rate_limited", "too many failed code lookups from this key or address; wait a minute"
            )
        }
    }

    func failed(key: String, address: String) {
        roll()
        byKey[key, default: 0] += 1
        byAddress[address, default: 0] += 1
    }

    private func roll() {
        let minute = Int64(Date().timeIntervalSince1970) / 60
        if minute != window {
            window = minute
            byKey.removeAll(keepingCapacity: true)
            byAddress.removeAll(keepingCapacity: true)
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
