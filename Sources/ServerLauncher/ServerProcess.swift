import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The built `coupon-server` as a child process: `serve` on port 0 over a database in `folder`,
/// the port read from its port file within a deadline, its standard error kept in
/// `folder/server.log` and attached to a failure to start. Started again on the same folder it
/// reopens the same database (the crash tests kill it and start it over). Used by the crash
/// tests, the CLI tests and the benchmarks; one owner each.
public final class ServerProcess: @unchecked Sendable {  // One owner; its fields are set by start/stop only.
    public let folder: URL
    public let binary: URL
    public var arguments: [String]
    public var environment: [String: String]
    /// A PostgreSQL URL to serve instead of the SQLite file in `folder/data`; the data folder
    /// stays `folder/data` (copied there from `coupon-server init`'s).
    public var databaseURL: String?
    public var database: String { databaseURL ?? folder.appendingPathComponent("data/coupons.sqlite").path }
    public var dataFolder: URL { folder.appendingPathComponent("data") }
    public private(set) var port = 0
    private var process: Process?

    public init(folder: URL, binary: URL, arguments: [String] = [], environment: [String: String] = [:]) {
        self.folder = folder
        self.binary = binary
        self.arguments = arguments
        self.environment = environment
    }

    /// `coupon-server` in the folder of the running executable or a folder above it (the build
    /// folder of a test bundle or of coupon-bench).
    public static var builtBinary: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("coupon-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: ".build/release/coupon-server")
    }

    /// What the server wrote to standard error so far.
    public var log: String {
        (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    /// The process id while it runs (for signals).
    public var pid: Int32 { process?.processIdentifier ?? 0 }

    /// The admin key the server wrote at its first start.
    public var adminKey: String {
        get throws {
            try String(contentsOf: folder.appendingPathComponent("data/admin.key"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Starts the server and waits for its port.
    /// - Throws: ``ServerLaunchError`` with the server's log when it did not write its port in time.
    public func start(deadline: Duration = .seconds(30)) async throws {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ServerLaunchError(problem: "no coupon-server at \(binary.path): build it first", log: "")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let portFile = folder.appendingPathComponent("port")
        try? FileManager.default.removeItem(at: portFile)
        let logFile = folder.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: logFile.path) {
            FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        try log.seekToEnd()
        let process = Process()
        process.executableURL = binary
        process.arguments =
            ["serve", "--port", "0", "--port-file", portFile.path, "--database", database, "--data", dataFolder.path]
            + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        try process.run()
        try log.close()
        self.process = process
        let clock = ContinuousClock()
        let end = clock.now + deadline
        // Looked at once more after the deadline: a test process whose threads were all busy (the
        // photo suites) may wake this task late, when the server has long written its port.
        var last = false
        while !last {
            last = clock.now >= end
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0
            {
                self.port = port
                return
            }
            guard process.isRunning else {
                self.process = nil
                throw ServerLaunchError(
                    problem: "coupon-server exited with \(process.terminationStatus)", log: self.log)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        stop()
        throw ServerLaunchError(problem: "coupon-server did not write its port within \(deadline)", log: self.log)
    }

    /// SIGKILL, as a power cut would: nothing is flushed or closed.
    public func kill() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGTERM, and waits for the exit.
    public func stop() {
        guard let process else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }
}

/// The server did not start; its log says why.
public struct ServerLaunchError: Error, CustomStringConvertible {
    public var problem: String
    public var log: String
    public var description: String { log.isEmpty ? problem : "\(problem); its log:\n\(log)" }
}
