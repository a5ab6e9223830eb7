import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The README's example block, extracted from README.md (not copied), run as written by bash on
/// a fresh folder with the package's build and samples beside it.
@Suite("The README's example block", .serialized)
struct ReadmeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The shell block after "Then, for example".
    static func exampleBlock() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let intro = readme.range(of: "Then, for example"),
            let open = readme.range(of: "```sh\n", range: intro.upperBound..<readme.endIndex),
            let close = readme.range(of: "\n```", range: open.upperBound..<readme.endIndex)
        else { throw ReadmeError("README.md has no block after 'Then, for example'") }
        return String(readme[open.upperBound..<close.lowerBound])
    }

    struct ReadmeError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// True when nothing listens on 127.0.0.1:`port`.
    static func portIsFree(_ port: UInt16) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected != 0
    }

    @Test("the README's 'Then, for example' block runs as written: server, catalogue, station, coupon, sale")
    func exampleRuns() throws {
        let block = try Self.exampleBlock()
        #expect(block.contains("coupon-server serve --port 8080"))
        try #require(Self.portIsFree(8080), "the README's block serves on port 8080, which is taken here")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in [".build", "samples"] {
            try FileManager.default.createSymbolicLink(
                at: folder.appendingPathComponent(name), withDestinationURL: Self.root.appendingPathComponent(name))
        }
        // The block itself, with errors stopping it; whatever it left running is ended after.
        let script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + block + "\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["COUPON_SERVER"] = nil
        environment["COUPON_API_KEY"] = nil
        process.environment = environment
        let output = folder.appendingPathComponent("output.txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(text)")
        // The sale: the cake's 100.00 paid from the 300.00 coupon, 200.00 left.
        #expect(text.contains("100.00"), "\(text)")
        #expect(text.contains("200.00"), "\(text)")
        let coupons = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("coupons").path)
        #expect(coupons.contains { $0.hasSuffix(".png") } && coupons.contains { $0.hasSuffix(".mms.eml") })
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("data/admin.key").path))
        #expect(Self.portIsFree(8080), "the block's server is still running")
    }
}
