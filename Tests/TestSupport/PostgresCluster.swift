import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL cluster of a test's own, for what must not touch the shared one (stopping the
/// database under load): `initdb` into a temporary folder (as the `postgres` user when run as
/// root), a free port on 127.0.0.1, `pg_ctl start`; stopped and removed when dropped.
public final class PostgresCluster: @unchecked Sendable {  // One owner; start/stop are called in turn.
    public let folder: String
    public let port: Int
    let bin: String
    let asPostgres: Bool

    /// The cluster's superuser database, as the tests' `COUPON_TEST_POSTGRES` is.
    public var url: String { "postgres://coupon@127.0.0.1:\(port)/postgres" }

    public init() throws {
        guard let bin = ProcessInfo.processInfo.environment["COUPON_TEST_PG_BIN"] else {
            throw TestStores.MissingCluster()
        }
        self.bin = bin
        asPostgres = getuid() == 0
        folder = NSTemporaryDirectory() + "coupon-pg-own-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        if asPostgres { try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: folder) }
        port = try RawPort.unused()
        try run("initdb", ["-D", folder + "/data", "-A", "trust", "-U", "coupon", "-E", "UTF8", "--locale=C.UTF-8"])
        try start()
    }

    public func start() throws {
        try run(
            "pg_ctl",
            [
                "-D", folder + "/data", "-l", folder + "/log", "-w", "-t", "60", "-o",
                "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c max_connections=200", "start",
            ])
    }

    /// `pg_ctl stop -m immediate`: as a crash of the database server would (no checkpoint).
    public func crash() throws {
        try run("pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"])
    }

    deinit {
        try? run("pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs a PostgreSQL program and waits for it: posix_spawn and waitpid, not Foundation's
    /// Process, whose child-exit watch is a descriptor the database server that `pg_ctl start`
    /// leaves running would inherit, so that Process would wait for it for ever.
    func run(_ program: String, _ arguments: [String]) throws {
        let outputPath = folder + "/\(program).out"
        let command =
            (asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [bin + "/" + program] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, &argv, environ)
        guard spawned == 0 else { throw ClusterError(description: "cannot run \(program): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        // Exited normally with 0 (WIFEXITED and WEXITSTATUS, which Swift does not import).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw ClusterError(description: "\(program) failed (status \(status)): " + text)
        }
    }

    public struct ClusterError: Error, CustomStringConvertible {
        public var description: String
    }
}
