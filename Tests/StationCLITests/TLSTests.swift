import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Certificates made by `openssl` for the test: a CA, and a server certificate it signed for
/// localhost and 127.0.0.1.
struct TestPKI {
    let folder: URL
    let ca: String

    init(name: String, in folder: URL) throws {
        self.folder = folder
        ca = folder.appendingPathComponent("\(name)-ca.pem").path
        let key = folder.appendingPathComponent("\(name)-ca.key").path
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", ca, "-days", "2",
            "-subj", "/CN=\(name) test CA",
        ])
    }

    /// A server certificate and key signed by this CA; returns their paths.
    func server(_ name: String) throws -> (certificate: String, key: String) {
        let key = folder.appendingPathComponent("\(name).key").path
        let request = folder.appendingPathComponent("\(name).csr").path
        let certificate = folder.appendingPathComponent("\(name).pem").path
        let extensions = folder.appendingPathComponent("\(name).ext")
        try Data("subjectAltName=DNS:localhost,IP:127.0.0.1\n".utf8).write(to: extensions)
        try Self.openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request, "-subj", "/CN=localhost",
        ])
        try Self.openssl([
            "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca.replacingOccurrences(of: ".pem", with: ".key"),
            "-CAcreateserial", "-out", certificate, "-days", "2", "-extfile", extensions.path,
        ])
        return (certificate, key)
    }

    static func openssl(_ arguments: [String]) throws {
        let result = try run("/usr/bin/openssl", arguments)
        guard result.status == 0 else { throw LiveServerError("openssl \(arguments[0]) failed: \(result.stderr)") }
    }
}

@Suite("TLS end to end: the station settles over HTTPS with a pinned CA and refuses any other", .serialized)
struct TLSTests {
    @Test("settle over TLS with --ca; a certificate from another CA is refused and nothing is charged")
    func settleOverTLS() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = try TestPKI(name: "shop", in: folder)
        let other = try TestPKI(name: "other", in: folder)
        let files = try pki.server("server")
        let server = try await LiveServer(tls: (files.certificate, files.key, pki.ca))
        #expect(server.url.hasPrefix("https://"))
        let coupon = try await server.issue(30000)
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let arguments =
            ["settle"] + server.stationArguments(journal: journal) + [
                "--coupon-code", coupon.payload, "--item-code", "8413000065504", "--yes",
            ]
        let refused = try await runDetached("coupon-station", arguments + ["--ca", other.ca])
        #expect(refused.status != 0)
        #expect(refused.stderr.lowercased().contains("certificate"), "\(refused.stderr)")
        #expect(try await server.coupon(coupon.id).balance == 30000)
        // Without --ca the system store is used, which does not know the test CA either.
        #expect(try await runDetached("coupon-station", arguments).status != 0)
        let paid = try await runDetached("coupon-station", arguments + ["--ca", pki.ca])
        #expect(paid.status == 0, "\(paid.stderr)")
        #expect(try await server.coupon(coupon.id).balance == 20000)
        let balance = try await runDetached(
            "couponctl", ["balance", coupon.code, "--server", server.url, "--key", server.adminKey, "--ca", pki.ca])
        #expect(balance.status == 0, "\(balance.stderr)")
        #expect(balance.text.contains("200.00"))
    }

    @Test("plain http:// off this machine is refused unless --allow-http")
    func plainHTTPRefused() async throws {
        let station = try await runDetached(
            "coupon-station",
            ["settle", "--server", "http://192.0.2.10:8080", "--key", "ck_x", "--coupon-code", "X", "--item-code", "1"])
        #expect(station.status == 2)
        #expect(station.stderr.contains("plain HTTP"), "\(station.stderr)")
        let ctl = try await runDetached("couponctl", ["audit", "--server", "http://cpn.example", "--key", "ck_x"])
        #expect(ctl.status == 2)
        #expect(ctl.stderr.contains("plain HTTP"), "\(ctl.stderr)")
        let allowed = try await runDetached(
            "couponctl", ["audit", "--server", "http://0.0.0.0:9", "--key", "ck_x", "--allow-http"])
        #expect(!allowed.stderr.contains("plain HTTP"))
    }

    @Test("SIGHUP loads a renewed certificate: new connections get it, an open one is not dropped")
    func reloadOnSIGHUP() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try TestPKI(name: "first", in: folder)
        let second = try TestPKI(name: "second", in: folder)
        let old = try first.server("old")
        let live = folder.appendingPathComponent("live.pem").path,
            liveKey = folder.appendingPathComponent("live.key").path
        try FileManager.default.copyItem(atPath: old.certificate, toPath: live)
        try FileManager.default.copyItem(atPath: old.key, toPath: liveKey)
        let server = try await LiveServer(tls: (live, liveKey, first.ca))
        let firstOnly = try Self.client(trusting: first.ca)
        #expect(try await Self.status(firstOnly, server.url + "/healthz") == 200)

        let renewed = try second.server("new")
        try FileManager.default.removeItem(atPath: live)
        try FileManager.default.removeItem(atPath: liveKey)
        try FileManager.default.copyItem(atPath: renewed.certificate, toPath: live)
        try FileManager.default.copyItem(atPath: renewed.key, toPath: liveKey)
        #expect(kill(server.pid, SIGHUP) == 0)
        try await Task.sleep(for: .milliseconds(500))
        #expect(server.log.contains("TLS certificate reloaded"), "\(server.log)")

        // The pooled connection made before the reload still answers.
        #expect(try await Self.status(firstOnly, server.url + "/healthz") == 200)
        // New connections get the renewed certificate.
        let secondOnly = try Self.client(trusting: second.ca)
        #expect(try await Self.status(secondOnly, server.url + "/healthz") == 200)
        let fresh = try Self.client(trusting: first.ca)
        await #expect(throws: (any Error).self) { try await Self.status(fresh, server.url + "/healthz") }
        for client in [firstOnly, secondOnly, fresh] { try await client.shutdown() }
    }

    static func client(trusting ca: String) throws -> HTTPClient {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
        return HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: HTTPClient.Configuration(tlsConfiguration: configuration))
    }

    static func status(_ client: HTTPClient, _ url: String) async throws -> Int {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }
}
