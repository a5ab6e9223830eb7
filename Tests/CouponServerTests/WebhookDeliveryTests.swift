import CouponAPI
import CouponCore
import CouponServer
import CouponStore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import Testing

/// The outbox delivered to a real HTTP receiver on loopback that refuses its first answers: every
/// message arrives signed, with the coupon's new state, its MMS and its SMS, after retries.
@Suite("Outbox webhook: signed, retried with backoff until the receiver takes it")
struct WebhookDeliveryTests {
    /// A receiver that answers 503 to its first `failures` requests, then 200, keeping what it got.
    final class Receiver: Sendable {
        let seen = Mutex<[(signature: String, body: Data, status: Int)]>([])
        let failures: Int

        init(failures: Int) { self.failures = failures }

        func application(port: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
            let router = Router()
            router.post("hook") { [self] request, _ -> Response in
                let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
                let signature = request.headers[.init("Coupon-Signature")!] ?? ""
                let status = seen.withLock { seen in
                    let status = seen.count < failures ? 503 : 200
                    seen.append((signature, body, status))
                    return status
                }
                return Response(status: .init(code: status))
            }
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { port($0.localAddress?.port ?? 0) })
        }
    }

    @Test("a sale's new state reaches the receiver after two refusals, signed, with its code, MMS and SMS")
    func retriedUntilTaken() async throws {
        let receiver = Receiver(failures: 2)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = receiver.application { portSink.yield($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let secret = Array("0123456789abcdef0123456789abcdef".utf8)
            var server = try await TestServer()
            var webhook = OutboxWebhook(url: "http://127.0.0.1:\(port)/hook", secret: secret)
            webhook.retryBaseSeconds = 1
            server.configuration.outboxWebhook = webhook
            let issued = try await server.store.issue(
                [IssueRequest(initial: Money(minorUnits: 30000, currency: .cny), phone: "+8613800000000", balanceOnPhone: true)],
                actor: "admin", now: Instant.now, idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
            guard case .fresh(let coupons, _) = issued else { Issue.record("replayed"); return }
            let code = coupons[0].code
            _ = try await server.store.settle(
                SettleRequest(code: code, basket: try Basket([("6901234567892", 1)]), station: "till-1"), now: Instant.now)
            #expect(try await server.store.pendingOutbox() == 1)
            let store = server.store
            try await server.run { _ in
                // The server delivers in the background; wait (bounded) until the receiver took it.
                for _ in 0..<200 {
                    if try await store.pendingOutbox() == 0 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(try await store.pendingOutbox() == 0)
            let seen = receiver.seen.withLock { $0 }
            #expect(seen.map(\.status) == [503, 503, 200], "\(seen.map(\.status))")
            let taken = try #require(seen.last)
            // The signature: t=TIMESTAMP,v1=HMAC-SHA256(secret, "TIMESTAMP.BODY"), as a receiver checks it.
            let timestamp = try #require(
                taken.signature.split(separator: ",").first.flatMap { Int64($0.dropFirst(2)) })
            #expect(taken.signature == OutboxWebhook.signature(secret: secret, timestamp: timestamp, body: Array(taken.body)))
            #expect(
                taken.signature != OutboxWebhook.signature(secret: Array("another".utf8), timestamp: timestamp, body: Array(taken.body)))
            let body = try JSONDecoder().decode(OutboxWebhookBody.self, from: taken.body)
            #expect(body.message.code == code.grouped)
            #expect(body.message.phoneState.balance.amount == 20000 && body.message.phoneState.sequence == 2)
            #expect(body.message.qrPayload.hasSuffix("." + body.message.phoneState.token))
            #expect(body.message.phone == "+8613800000000")
            #expect(body.mms.contains("multipart/related") && body.mms.contains("image/png"))
            #expect(body.sms.text.contains("200.00") && body.sms.encoding == "UCS-2")
            group.cancelAll()
        }
    }
}
