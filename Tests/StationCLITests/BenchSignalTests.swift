import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// coupon-bench stopped by SIGTERM or SIGINT ends what it started and removes its folder.
@Suite("coupon-bench ends its children on SIGINT and SIGTERM", .serialized)
struct BenchSignalTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Live processes whose parent chain leads to `root`.
    static func descendants(of root: pid_t) -> [(pid: pid_t, name: String)] {
        var parents: [pid_t: (parent: pid_t, name: String)] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // A zombie (state Z) has ended; only its parent has not collected it yet.
            guard fields.count > 1, fields[0] != "Z", let parent = pid_t(fields[1]) else { continue }
            parents[pid] = (parent, String(stat[stat.index(after: open)..<close]))
        }
        var found: [(pid_t, String)] = []
        var frontier = [root]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value.parent == next }
            found += children.map { ($0.key, $0.value.name) }
            frontier += children.keys
        }
        return found
    }

    @Test("SIGTERM and SIGINT during `coupon-bench station`", arguments: [SIGTERM, SIGINT])
    func interrupted(signal number: Int32) async throws {
        let process = Process()
        process.executableURL = productsFolder.appendingPathComponent("coupon-bench")
        process.arguments = ["station", "--settlements", "100000", "--clip-frames", "30", "--stream-frames", "0"]
        process.currentDirectoryURL = Self.root
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        // Running, with the server it started, before the signal.
        var started: [(pid: pid_t, name: String)] = []
        for _ in 0..<200 {
            started = Self.descendants(of: process.processIdentifier)
            if started.contains(where: { $0.name == "coupon-server" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(started.contains { $0.name == "coupon-server" }, "\(started)")
        try await Task.sleep(for: .milliseconds(500))
        kill(process.processIdentifier, number)
        process.waitUntilExit()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 128 + number, "\(said)")
        #expect(said.contains("coupon-bench station 1/3"), "\(said)")
        #expect(said.contains("stopped by signal \(number)"), "\(said)")
        for child in started {
            #expect(kill(child.pid, 0) != 0 || Self.isZombie(child.pid), "\(child.name) (\(child.pid)) still runs")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "station-bench-\(process.processIdentifier)")
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}
