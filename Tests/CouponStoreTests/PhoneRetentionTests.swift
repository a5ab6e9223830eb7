import CouponCore
import CouponStore
import Foundation
import TestSupport
import Testing

/// Phone numbers are personal data: kept until the coupon is spent or expired plus the retention,
/// erased on request, each erasure a ledger line. The same on both stores.
@Suite("Phone numbers: erased after their retention, or on request")
struct PhoneRetentionTests {
    static let now = Instant(secondsSince1970: 1_800_000_000)
    static let day: Int64 = 86400
    static let plain: @Sendable (CouponRecord) throws -> StoredResponse = { _ in StoredResponse(status: 200, body: []) }
    static func at(days: Int64) -> Instant { Instant(secondsSince1970: now.secondsSince1970 + days * day) }

    @Test(
        "spent and expired coupons lose their numbers after the cutoff, blocked and live ones keep them",
        arguments: StoreKind.allCases)
    func retention(kind: StoreKind) async throws {
        let store = try await TestStores.make(kind, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        let amount = Money(minorUnits: 30000, currency: .cny)
        let phone = "+8613800000000"
        let batch = try await store.issue(
            [
                IssueRequest(initial: amount, phone: phone),  // spent to nothing today
                IssueRequest(initial: amount, expiresAt: Self.at(days: 1), phone: phone),  // expires tomorrow
                IssueRequest(initial: amount, expiresAt: Self.at(days: 1), phone: phone),  // expires, but blocked
                IssueRequest(initial: amount, phone: phone),  // still has money
                IssueRequest(initial: amount),  // never had a number
            ], actor: "admin:ops", now: Self.now, idempotency: nil,
            render: { _ in StoredResponse(status: 201, body: []) })
        guard case .fresh(let issued, _) = batch else { Issue.record("replayed"); return }
        let ids = issued.map(\.record.id)
        _ = try await store.adjust(
            couponID: ids[0], amount: Money(minorUnits: -30000, currency: .cny), reason: "spent", actor: "admin:ops",
            now: Self.now, idempotency: nil, render: Self.plain)
        _ = try await store.setBlocked(
            couponID: ids[2], blocked: true, actor: "admin:ops", now: Self.now, idempotency: nil, render: Self.plain)
        func phones() async throws -> [Bool] {
            var result: [Bool] = []
            for id in ids { result.append(try #require(try await store.coupon(id: id)).hasPhone) }
            return result
        }
        #expect(try await phones() == [true, true, true, true, false])

        // Before the cutoff reaches them nothing is erased.
        #expect(try await store.forgetPhones(spentOrExpiredBefore: Self.at(days: -1), now: Self.now) == 0)
        #expect(try await phones() == [true, true, true, true, false])
        // A cutoff past today's spending and tomorrow's expiry: the spent and the expired lose theirs.
        #expect(try await store.forgetPhones(spentOrExpiredBefore: Self.at(days: 2), now: Self.at(days: 92)) == 2)
        #expect(try await phones() == [false, false, true, true, false])
        #expect(try await store.forgetPhones(spentOrExpiredBefore: Self.at(days: 2), now: Self.at(days: 92)) == 0)
        let spentLedger = try await store.ledger(couponID: ids[0])
        let last = try #require(spentLedger.max { $0.at < $1.at })
        #expect(last.kind == .forgetPhone && last.actor == "retention" && last.amount.minorUnits == 0)
        #expect(last.balanceBefore == last.balanceAfter)

        // On request: erased at once, recorded with who asked; asking again is no error.
        for _ in 0..<2 {
            _ = try await store.forgetPhone(
                couponID: ids[3], actor: "admin:privacy", now: Self.now, idempotency: nil, render: Self.plain)
        }
        #expect(try await phones() == [false, false, true, false, false])
        let requests = try await store.ledger(couponID: ids[3]).filter { $0.kind == .forgetPhone }
        #expect(requests.count == 2 && requests.allSatisfy { $0.actor == "admin:privacy" })
        #expect(try await store.coupon(id: ids[3])?.snapshot.balance == amount)
        await #expect(throws: (any Error).self) {
            _ = try await store.forgetPhone(
                couponID: "cpn_none", actor: "admin", now: Self.now, idempotency: nil, render: Self.plain)
        }
        #expect(try await store.audit().isEmpty)
    }
}
