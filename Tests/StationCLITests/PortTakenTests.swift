import Foundation
import ServerLauncher
import Testing

@Suite("coupon-server on a port that is taken")
struct PortTakenTests {
    @Test("a second server on a taken port stops with a message and creates nothing")
    func portTaken() async throws {
        let running = try await LiveServer()
        let port = try #require(URLComponents(string: running.url)?.port)
        let folder = try temporaryFolder()
        let data = folder.appendingPathComponent("data")
        let second = try await runDetached(
            "coupon-server", ["serve", "--port", "\(port)", "--database", data.appendingPathComponent("c.sqlite").path])
        #expect(second.status != 0)
        #expect(second.stderr.contains("port \(port) on 127.0.0.1 is in use"), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data.path), "the data folder was created")
        // The running server is unharmed.
        #expect(try await running.coupon(running.issue(100).id).balance == 100)
    }

    @Test("a server whose public URL is this machine says so: no phone can open its QR links")
    func defaultPublicURL() async throws {
        let folder = try temporaryFolder()
        let server = ServerProcess(folder: folder, binary: productsFolder.appendingPathComponent("coupon-server"))
        try await server.start()
        defer { server.stop() }
        #expect(server.log.contains("no phone can open them"), "\(server.log)")
    }
}
