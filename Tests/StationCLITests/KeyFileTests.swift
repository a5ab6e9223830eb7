import Foundation
import Testing

/// `--key-file`: the key from a file of mode 0600, refused when others may read it.
@Suite("--key-file on couponctl and coupon-station")
struct KeyFileTests {
    @Test("a 0600 key file is used; a 0644 one is refused with the chmod to run; an empty one is refused")
    func keyFile() async throws {
        let server = try await LiveServer()
        let file = server.folder.appendingPathComponent("admin.key")
        try Data((server.adminKey + "\n").utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let environment = ["COUPON_SERVER": server.url, "COUPON_API_KEY": ""]
        let open = try await runDetached(
            "couponctl", ["products", "list", "--key-file", file.path], environment: environment)
        #expect(open.status == 2)
        #expect(open.stderr.contains("chmod 600 \(file.path)"), "\(open.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let listed = try await runDetached(
            "couponctl", ["products", "list", "--key-file", file.path], environment: environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.text.contains("8413000065504"), "\(listed.text)")

        // The station's key, the same way, for a real sale.
        let coupon = try await server.issue(30000)
        let stationFile = server.folder.appendingPathComponent("station.key")
        try Data(server.stationKey.utf8).write(to: stationFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: stationFile.path)
        var arguments = server.stationArguments(journal: server.folder.appendingPathComponent("journal.sqlite"))
        let keyIndex = try #require(arguments.firstIndex(of: "--key"))
        arguments.replaceSubrange(keyIndex...(keyIndex + 1), with: ["--key-file", stationFile.path])
        let paid = try await runDetached(
            "coupon-station",
            ["settle", "--coupon-code", coupon.code, "--item-code", "8413000065504", "--yes"] + arguments,
            environment: ["COUPON_API_KEY": ""])
        #expect(paid.status == 0, "\(paid.stderr)")
        let empty = server.folder.appendingPathComponent("empty.key")
        try Data().write(to: empty)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: empty.path)
        arguments[keyIndex + 1] = empty.path
        let refused = try await runDetached(
            "coupon-station",
            ["settle", "--coupon-code", coupon.code, "--item-code", "8413000065504", "--yes"] + arguments)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("holds no key"), "\(refused.stderr)")
    }
}
