import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird
import SignedState

/// The patent's first embodiment over HTTP: the provider's public state keys for tills, and the
/// outbox of signed states (with their coupons' codes) waiting to go back to the phones.
struct PhoneStateRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration

    /// The most messages one claim returns, and the longest lease.
    static var maxClaim: Int { 500 }
    static var maxLeaseSeconds: Int { 3600 }

    func register(on router: Router<AppRequestContext>, v1: RouterGroup<AppRequestContext>) {
        router.get("v1/public/keys", use: keys)
        v1.get("outbox", use: status)
        v1.post("outbox/claim", use: claim)
        v1.post("outbox/delivered", use: delivered)
    }

    /// `GET /v1/public/keys`: public keys and their statuses, and the provider's clock. No key
    /// needed: nothing here is secret, and a till fetches it to check states offline.
    @Sendable func keys(_ request: Request, context: AppRequestContext) async throws -> PublicKeys {
        let entries = configuration.stateKeys?.entries ?? []
        return PublicKeys(
            keys: entries.map { PublicKeyInfo(id: $0.id, publicKey: $0.publicKeyBase64, status: $0.status.rawValue) },
            serverTime: configuration.clock().iso8601)
    }

    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> OutboxStatus {
        _ = try context.require(.admin)
        return OutboxStatus(delivered: 0, pending: try await store.pendingOutbox())
    }

    /// `POST /v1/outbox/claim`: pending messages, oldest first, each leased to this caller; a
    /// deliverer that dies leaves its messages to be claimed again when the lease ends. The
    /// answer holds codes: admins only, never stored, never logged.
    @Sendable func claim(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        let body = try await request.json(OutboxClaimBody.self, upTo: configuration.limits.maxBody)
        let limit = body.limit ?? 100
        guard (1...Self.maxClaim).contains(limit) else {
            throw APIError(.badRequest, .badLimit, "limit must be 1 to \(Self.maxClaim)")
        }
        let lease = body.leaseSeconds ?? 300
        guard (1...Self.maxLeaseSeconds).contains(lease) else {
            throw APIError(.badRequest, .badLimit, "lease_seconds must be 1 to \(Self.maxLeaseSeconds)")
        }
        let messages = try await store.claimOutbox(limit: limit, leaseSeconds: Int64(lease), now: configuration.clock())
        let answer = OutboxMessages(
            messages: messages.map { OutboxMessageBody($0, baseURL: configuration.publicBaseURL) })
        var response = try answer.response(from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// `POST /v1/outbox/delivered`: marks messages delivered; repeating it changes nothing.
    @Sendable func delivered(_ request: Request, context: AppRequestContext) async throws -> OutboxStatus {
        _ = try context.require(.admin)
        let body = try await request.json(OutboxDeliveredBody.self, upTo: configuration.limits.maxBody)
        guard body.ids.count <= Self.maxClaim, body.ids.allSatisfy({ $0.hasPrefix("msg_") && $0.count <= 64 }) else {
            throw APIError(.badRequest, .badRequest, "ids: up to \(Self.maxClaim) message ids (msg_...)")
        }
        let changed = try await store.markDelivered(ids: body.ids, now: configuration.clock())
        return OutboxStatus(delivered: changed, pending: try await store.pendingOutbox())
    }
}
