import CouponAPI
import CouponCore
import Foundation
import GRDB
import SignedState
import Testing

@testable import Station

/// Every rule of an offline sale, each refusal with its code, on a real journal file: the till
/// pins keys, limits, its clock offset and a catalogue copy, then sells from signed states.
@Suite("Offline till: every refusal with its code, and a sale journalled with its receipt")
struct OfflineTillTests {
    static let couponID = "cpn_0123456789abcdef0123456789abcdef"
    static let code = CouponCode.generate()
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct Till {
        let till: OfflineTill
        let ring: KeyRing
        let key: SigningKey

        /// A till with `limits` (per sale, per day in CNY minor units; nil: none set) and a clock
        /// `offset` seconds from the provider's, pinned with `ring` and the candles and tea.
        init(limits: (Int64, Int64)? = (5000, 10000), offset: Double = 0, ring: KeyRing = .generate()) throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-\(UUID().uuidString)")
            let journal = try Journal(path: folder.appendingPathComponent("journal.sqlite").path)
            let book = OfflineBook(journal)
            self.ring = ring
            key = try #require(ring.active)
            let keys = ring.entries.map { PublicKeyInfo(id: $0.id, publicKey: $0.publicKeyBase64, status: $0.status.rawValue) }
            let pinned = limits.map {
                [OfflineLimitBody(perSale: Amount(amount: $0.0, currency: "CNY"), perDay: Amount(amount: $0.1, currency: "CNY"))]
            } ?? []
            try book.pin(
                StationOffline(station: "till-1", limits: pinned, keys: keys, serverTime: "2027-01-15T08:00:00Z"),
                clockOffset: offset,
                products: [
                    ProductInfo(code: "08480000823274", name: "Candles", price: Amount(amount: 600, currency: "CNY")),
                    ProductInfo(code: "TEA", name: "Tea", price: Amount(amount: 1000, currency: "CNY")),
                ], at: OfflineTillTests.now)
            till = OfflineTill(book: book, shop: "Sweet Bakery", station: "till-1", timeZone: TimeZone(identifier: "UTC")!)
        }

        func state(balance: Int64, sequence: UInt32 = 2, expires: Int64? = nil, key: SigningKey? = nil) throws -> String {
            let signer = key ?? self.key
            return try StateToken.sign(
                PhoneState(
                    couponID: OfflineTillTests.couponID, balance: Money(minorUnits: balance, currency: .cny),
                    expiresAt: expires.map(Instant.init), sequence: sequence,
                    signedAt: Instant(secondsSince1970: 1_799_990_000), keyID: signer.id),
                with: signer)
        }

        func sell(_ token: String, _ items: [BasketLine]) throws(StationError) -> Receipt {
            try till.sell(code: OfflineTillTests.code, token: token, items: items, now: OfflineTillTests.now).receipt
        }
    }

    static func refusal(_ body: () throws -> Receipt) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            if case .offline(let code, _)? = error as? StationError { return code }
            return "\(error)"
        }
    }

    static let candles = [BasketLine(code: "8480000823274", quantity: 1)]

    @Test("a sale within every limit is journalled with its receipt; the same state cannot be spent twice")
    func sells() throws {
        let t = try Till()
        let token = try t.state(balance: 20000)
        let receipt = try t.sell(token, Self.candles)
        #expect(receipt.offline == true && receipt.balanceBefore?.minorUnits == 20000)
        #expect(receipt.balanceAfter?.minorUnits == 19400 && receipt.charged?.minorUnits == 600)
        #expect(receipt.couponLastFour == Self.code.lastFour)
        let pending = try t.till.book.pending()
        #expect(pending.count == 1)
        #expect(pending.first?.body.couponCode == Self.code.value + "." + token)
        #expect(pending.first?.body.total.amount == 600)
        #expect(Self.refusal { try t.sell(token, Self.candles) } == "offline_state_spent")
        // The code is erased once the sale is settled with the provider.
        try t.till.book.settle(try #require(pending.first?.id), forwarded: true, answer: "stl_x")
        #expect(try t.till.book.pending().isEmpty)
        let kept = try t.till.book.journal.pool.read { db in
            try String?.fetchOne(db, sql: "SELECT payload FROM offline_sales")
        }
        #expect(kept == .some(nil))
    }

    @Test("each rule refuses with its code")
    func refusals() throws {
        let t = try Till()
        let good = try t.state(balance: 20000)
        #expect(Self.refusal { try t.sell(good, [BasketLine(code: "8480000823274", quantity: 10)]) } == "offline_over_limit")
        #expect(Self.refusal { try t.sell(good, [BasketLine(code: "4006381333931", quantity: 1)]) } == "offline_unknown_product")
        #expect(Self.refusal { try t.sell(try t.state(balance: 500), Self.candles) } == "offline_over_balance")
        #expect(
            Self.refusal { try t.sell(try t.state(balance: 20000, expires: 1_799_999_000), Self.candles) }
                == "offline_expired")
        var tampered = Array(good)
        tampered[36] = tampered[36] == "Z" ? "Y" : "Z"
        #expect(Self.refusal { try t.sell(String(tampered), Self.candles) } == "state_bad_signature")
        #expect(Self.refusal { try t.sell("NOT-A-STATE", Self.candles) } == "state_malformed")
        let stranger = try #require(KeyRing.generate().active)
        #expect(
            Self.refusal { try t.sell(try t.state(balance: 20000, key: stranger), Self.candles) } == "state_unknown_key")

        // Per coupon per day: 4 x 10.00 on state 3, then 4 x 10.00 on state 4, then 3 x 10.00 is past 100.00.
        let tea = { (n: Int) in [BasketLine(code: "TEA", quantity: n)] }
        _ = try t.sell(try t.state(balance: 20000, sequence: 3), tea(4))
        _ = try t.sell(try t.state(balance: 16000, sequence: 4), tea(4))
        #expect(Self.refusal { try t.sell(try t.state(balance: 12000, sequence: 5), tea(3)) } == "offline_day_limit")
        // An older state than one this till has seen.
        #expect(Self.refusal { try t.sell(try t.state(balance: 20000, sequence: 2), Self.candles) } == "offline_state_superseded")

        let off = try Till(limits: nil)
        #expect(Self.refusal { try off.sell(try off.state(balance: 20000), Self.candles) } == "offline_not_enabled")
        let skewed = try Till(offset: 900)
        #expect(Self.refusal { try skewed.sell(try skewed.state(balance: 20000), Self.candles) } == "offline_clock")
    }

    @Test("key rotation: the previous key's states sell until it is retired, then they are refused")
    func rotation() throws {
        var ring = KeyRing.generate()
        let old = try #require(ring.active)
        _ = ring.rotate()
        let valid = try Till(ring: ring)
        #expect(try valid.sell(try valid.state(balance: 20000, key: old), Self.candles).offline == true)
        try ring.retire(old.id)
        let retired = try Till(ring: ring)
        #expect(
            Self.refusal { try retired.sell(try retired.state(balance: 20000, key: old), Self.candles) }
                == "state_key_retired")
        #expect(try retired.sell(try retired.state(balance: 20000), Self.candles).offline == true)
    }

    @Test("a till that pinned nothing refuses")
    func notSynced() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("till-\(UUID().uuidString)")
        let journal = try Journal(path: folder.appendingPathComponent("journal.sqlite").path)
        let till = OfflineTill(book: OfflineBook(journal), shop: "S", station: nil, timeZone: TimeZone(identifier: "UTC")!)
        #expect(
            Self.refusal { try till.sell(code: Self.code, token: "AAAA", items: Self.candles).receipt } == "offline_not_synced")
    }
}
