import Foundation
import Testing

@Suite("coupon-server secret: rotate, status and retire the code-hash secret by versions")
struct SecretCommandTests {
    @Test("rotate writes v2 (0600); status counts live coupons per version; retire refuses a version in use")
    func rotateStatusRetire() async throws {
        let server = try await LiveServer()
        _ = try await server.issue(1000)
        let database = server.folder.appendingPathComponent("data/coupons.sqlite").path
        let rotate = try await runDetached("coupon-server", ["secret", "rotate", "--database", database])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        let v2 = server.folder.appendingPathComponent("data/code-hash.v2.secret").path
        let mode = try FileManager.default.attributesOfItem(atPath: v2)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let status = try await runDetached("coupon-server", ["secret", "status", "--database", database])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.text.contains("v1  1 live coupons  lookups only"), "\(status.text)")
        #expect(status.text.contains("v2  0 live coupons  new codes"), "\(status.text)")
        let retire = try await runDetached("coupon-server", ["secret", "retire", "1", "--database", database])
        #expect(retire.status != 0)
        #expect(retire.stderr.contains("1 live coupons are still hashed under v1"), "\(retire.stderr)")
        #expect(try await runDetached("coupon-server", ["secret", "retire", "2", "--database", database]).status != 0)
        #expect(
            FileManager.default.fileExists(atPath: server.folder.appendingPathComponent("data/code-hash.secret").path))
    }
}
