import CouponCore
import CouponStore
import Foundation
import Testing

@Suite("The code-hash secret rotates by versions: old codes keep working and move to the new secret")
struct SecretRotationTests {
    @Test("v1 coupons are found under v1+v2, move to v2 when settled, and need v1 until then")
    func rotation() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rotate-\(SecureID.hex())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("c.sqlite").path
        let v1 = CodeHasher.newSecret(), v2 = CodeHasher.newSecret()
        let now = Instant(secondsSince1970: 1_800_000_000)
        let cake = Product(
            code: try ProductCode("CAKE"), name: "Cake", price: try Money(parsing: "100", currency: .cny))
        var first: IssuedCoupon
        var idle: IssuedCoupon
        do {
            let store = try SQLiteCouponStore(path: path, hasher: CodeHasher(secret: v1))
            try await store.putProduct(cake)
            first = try await store.issue(
                initial: try Money(parsing: "300", currency: .cny), expiresAt: nil, actor: "admin", now: now)
            idle = try await store.issue(
                initial: try Money(parsing: "50", currency: .cny), expiresAt: nil, actor: "admin", now: now)
        }
        let both = try SQLiteCouponStore(path: path, hasher: CodeHasher(versions: [(1, v1), (2, v2)]))
        #expect(try await both.codeHashVersions() == [1: 2])
        #expect(try await both.coupon(code: first.code)?.id == first.record.id)
        let paid = try await both.settle(
            SettleRequest(code: first.code, basket: try Basket([("CAKE", 1)]), station: "till-1"), now: now)
        #expect(paid.settlement?.balanceAfter.minorUnits == 20000)
        #expect(try await both.codeHashVersions() == [1: 1, 2: 1])
        let fresh = try await both.issue(
            initial: try Money(parsing: "10", currency: .cny), expiresAt: nil, actor: "admin", now: now)
        #expect(try await both.codeHashVersions() == [1: 1, 2: 2])

        // With v1 retired: the settled and the new coupon are found, the idle one is not.
        let onlyNew = try SQLiteCouponStore(path: path, hasher: CodeHasher(versions: [(2, v2)]))
        #expect(try await onlyNew.coupon(code: first.code)?.snapshot.balance.minorUnits == 20000)
        #expect(try await onlyNew.coupon(code: fresh.code) != nil)
        #expect(try await onlyNew.coupon(code: idle.code) == nil)
        #expect(try await onlyNew.audit().isEmpty)
    }

    @Test("an answer sealed under v1 opens under v1+v2; new answers are sealed under v2")
    func sealing() throws {
        let v1 = CodeHasher.newSecret(), v2 = CodeHasher.newSecret()
        let old = CodeHasher(secret: v1)
        let both = CodeHasher(versions: [(1, v1), (2, v2)])
        let sealed = try old.seal(Array("codes".utf8))
        #expect(try both.open(sealed) == Array("codes".utf8))
        let resealed = try both.seal(Array("new".utf8))
        #expect(throws: (any Error).self) { try old.open(resealed) }
        #expect(try CodeHasher(versions: [(2, v2)]).open(resealed) == Array("new".utf8))
        #expect(both.currentVersion == 2)
        let code = CouponCode.generate()
        #expect(both.hash(code) != old.hash(code))
        #expect(both.hashes(code).hashes == [both.hash(code), old.hash(code)])
    }
}
