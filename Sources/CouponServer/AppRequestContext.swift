import CouponCore
import CouponStore
import Foundation
import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the caller the key identified.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The caller showed the metrics key (``ServerConfiguration/metricsKey``): `/metrics` only.
    public var metricsReader = false
    /// The peer's address, for per-client rate limits.
    public var remoteAddress: SocketAddress?

    /// Responses as JSON with sorted keys and unescaped slashes (QR links stay readable).
    public var responseEncoder: JSONEncoder { JSONEncoder.api }

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// The caller, who must hold `role` (admins may do what stations do where `orAdmin`).
    func require(_ role: Principal.Role, orAdmin: Bool = false) throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        if principal.role == role || (orAdmin && principal.role == .admin) { return principal }
        throw APIError.forbidden("this needs a \(role.rawValue) key")
    }

    /// Any valid key.
    func requireKey() throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        return principal
    }
}

/// Reads `Authorization: Bearer KEY` and sets the context's principal; an unknown key is a 401
/// at once, whatever the endpoint, and counts as a failure of the client's address (an address
/// past the failure limit gets 429 for any key it has not proven).
struct AuthMiddleware<Store: CouponStore>: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: Store
    let cache: KeyCache
    let failures: FailureLimiter
    let trustedProxies: [String]
    /// The metrics key, accepted on `/metrics` only.
    var metricsKey: String? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer ") else { throw APIError.unauthorized }
            let key = String(header.dropFirst(7))
            if let metricsKey, request.uri.path == "/metrics", Self.same(key, metricsKey) {
                context.metricsReader = true
                return try await next(request, context)
            }
            var found = cache.principal(forKey: key)
            if found == nil, let principal = try await store.principal(forKey: key) {
                cache.remember(principal, forKey: key)
                found = principal
            }
            guard let principal = found else {
                let address = context.clientAddress(request, trustedProxies: trustedProxies)
                try failures.check(keyID: nil, address: address)
                failures.failed(keyID: nil, address: address)
                throw APIError.unauthorized
            }
            context.principal = principal
            if let station = principal.station { context.logger[metadataKey: "station"] = "\(station)" }
        }
        return try await next(request, context)
    }

    /// Equal, in time that does not depend on where two keys of the same length differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
