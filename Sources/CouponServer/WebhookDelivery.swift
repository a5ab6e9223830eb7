import AsyncHTTPClient
import CouponAPI
import CouponCore
import CouponMessages
import CouponStore
import Crypto
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import QRRender
import ServiceLifecycle

/// Where the outbox's messages go when a gateway takes them over HTTP: each message is POSTed as
/// JSON (``OutboxWebhookBody``), signed as Stripe signs its webhooks, and retried with backoff until
/// the receiver answers 2xx.
public struct OutboxWebhook: Sendable {
    public var url: String
    /// The HMAC-SHA256 key (`data/webhook.secret`), shared with the receiver.
    public var secret: [UInt8]
    /// The first retry waits this long; each further one twice as long, up to `maxBackoffSeconds`.
    public var retryBaseSeconds: Int64 = 5
    public var maxBackoffSeconds: Int64 = 3600

    public init(url: String, secret: [UInt8]) {
        self.url = url
        self.secret = secret
    }

    /// `Coupon-Signature: t=TIMESTAMP,v1=HEX`: HMAC-SHA256 under the secret of `TIMESTAMP.BODY`. A
    /// receiver recomputes it, compares in constant time, and refuses a timestamp more than a few
    /// minutes old (a replay).
    public static func signature(secret: [UInt8], timestamp: Int64, body: [UInt8]) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        mac.update(data: Array("\(timestamp).".utf8))
        mac.update(data: body)
        return "t=\(timestamp),v1=" + Data(mac.finalize()).map { String(format: "%02x", $0) }.joined()
    }

    /// How long a message that failed `attempts` times before waits for its next try.
    func backoff(attempts: Int) -> Int64 {
        let shift = Int64(min(attempts, 20))
        return min(maxBackoffSeconds, retryBaseSeconds << shift)
    }
}

/// Delivers the outbox to the webhook until the server shuts down. Several servers on one
/// database deliver together: each claims different messages.
struct WebhookDeliveryService<Store: CouponStore>: Service {
    let store: Store
    let webhook: OutboxWebhook
    let baseURL: String
    let clock: @Sendable () -> Instant
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var delivered = 0
            do { delivered = try await deliverOnce() } catch {
                logger.error("outbox delivery failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            }
            if delivered == 0 { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) } }
        }
    }

    /// One round: claims waiting messages, posts each; returns how many were delivered.
    func deliverOnce() async throws -> Int {
        let messages = try await store.claimOutbox(limit: 20, leaseSeconds: 60, now: clock())
        var delivered: [String] = []
        for message in messages {
            let status = await post(message)
            if let status, (200..<300).contains(status) {
                delivered.append(message.id)
                continue
            }
            let wait = webhook.backoff(attempts: message.attempts)
            logger.warning(
                "outbox message not taken; retried later",
                metadata: [
                    "message_id": "\(message.id)", "status": "\(status.map(String.init) ?? "no answer")",
                    "retry_in_s": "\(wait)",
                ])
            try await store.deferOutbox(
                ids: [message.id], until: Instant(secondsSince1970: clock().secondsSince1970 + wait))
        }
        if !delivered.isEmpty { _ = try await store.markDelivered(ids: delivered, now: clock()) }
        return delivered.count
    }

    /// The receiver's status, or nil when it did not answer.
    func post(_ message: OutboxMessage) async -> Int? {
        guard let body = try? Self.body(message, baseURL: baseURL) else { return nil }
        let timestamp = clock().secondsSince1970
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(
            name: "Coupon-Signature", value: OutboxWebhook.signature(secret: webhook.secret, timestamp: timestamp, body: body))
        request.headers.add(name: "Idempotency-Key", value: message.id)
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }

    /// The JSON a message is sent as: the message, its MMS and its SMS.
    static func body(_ message: OutboxMessage, baseURL: String) throws -> [UInt8] {
        let wire = OutboxMessageBody(message, baseURL: baseURL)
        let text = CouponMessage(
            id: message.couponID, amount: message.balance.formatted, currency: message.balance.currency.code,
            expires: wire.expiresAt.map { String($0.prefix(10)) }, link: wire.qrPayload, phone: message.phone,
            language: MessageLanguage.choose(nil, phone: message.phone, campaign: message.campaign), update: true)
        let png = try QRRenderer.png(try QREncoder.encode(text: wire.qrPayload, level: .medium))
        let sms = text.sms
        let payload = OutboxWebhookBody(
            message: wire, mms: text.mime(png: png),
            sms: SMSBody(text: sms.text, encoding: sms.encoding, segments: sms.segments))
        return Array(try JSONEncoder.api.encode(payload))
    }
}
