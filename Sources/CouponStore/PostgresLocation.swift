import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL database is: parsed from `postgres://USER@HOST:PORT/DB?sslmode=...`.
/// The password never comes from the URL a `ps` listing shows: it comes from `PGPASSWORD`, or
/// from a password file (`PGPASSFILE`, default `~/.pgpass`, in libpq's format, mode 0600).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require, verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode
    /// How many connections each server keeps at most.
    public var poolSize: Int

    /// True when `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// - Throws: ``StoreError`` (`.file`) with what is wrong in the URL.
    public init(url text: String, poolSize: Int = 20) throws {
        guard Self.isPostgres(text), let url = URLComponents(string: text), let host = url.host, !host.isEmpty
        else {
            throw StoreError(kind: .file("not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE): \(text)"))
        }
        if url.password != nil {
            throw StoreError(
                kind: .file(
                    "the database URL carries a password, which every local user sees in ps; use PGPASSWORD or a password file (~/.pgpass)"
                ))
        }
        self.user = url.user ?? ProcessInfo.processInfo.environment["PGUSER"] ?? "postgres"
        self.host = host
        self.port = url.port ?? 5432
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        self.database = path.isEmpty ? user : path
        var mode = TLSMode.prefer
        var pool = poolSize
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = TLSMode(rawValue: value) else {
                    throw StoreError(
                        kind: .file("sslmode is one of disable, prefer, require, verify-full, not \(item.value ?? "")"))
                }
                mode = parsed
            case "pool":
                guard let value = item.value.flatMap(Int.init), (1...500).contains(value) else {
                    throw StoreError(kind: .file("pool is a number of connections from 1 to 500"))
                }
                pool = value
            default:
                throw StoreError(kind: .file("unknown database URL option '\(item.name)' (known: sslmode, pool)"))
            }
        }
        self.tls = mode
        self.poolSize = pool
        guard (1...500).contains(pool) else {
            throw StoreError(kind: .file("the pool size is a number of connections from 1 to 500"))
        }
    }

    /// The URL without secrets (it never holds one): for logs and messages.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// The same server, another database (tests and `init` create databases).
    public func database(_ name: String) -> PostgresLocation {
        var copy = self
        copy.database = name
        return copy
    }

    /// postgres-nio's configuration, with the password looked up now.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> PostgresClient.Configuration
    {
        let tls: PostgresClient.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer:
            var client = TLSConfiguration.makeClientConfiguration()
            client.certificateVerification = .none
            tls = .prefer(client)
        case .require:
            // libpq's `require`: encrypted, the certificate not checked (verify-full checks it).
            var client = TLSConfiguration.makeClientConfiguration()
            client.certificateVerification = .none
            tls = .require(client)
        case .verifyFull: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: try password(environment: environment),
            database: database, tls: tls)
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(5)
        // The settle path's prepared statements (``PreparedStoreStatement``) are planned once per
        // connection: their lookups are by primary or unique key whatever the values, so the
        // generic plan is the custom one, and planning it again for every sale (PostgreSQL's
        // default for the first five, and for any whose custom plans look cheaper) is wasted.
        // Unnamed statements, everything else, are planned per execution as before.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan")]
        return configuration
    }

    /// `PGPASSWORD`, else the first matching line of the password file, else none (trust or peer).
    func password(environment: [String: String]) throws -> String? {
        if let password = environment["PGPASSWORD"], !password.isEmpty { return password }
        let file =
            environment["PGPASSFILE"]
            ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? "")
        guard !file.isEmpty, let attributes = try? FileManager.default.attributesOfItem(atPath: file) else {
            return nil
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw StoreError(kind: .file("the password file \(file) can be read by others; chmod 600 it"))
        }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            func matches(_ field: String, _ value: String) -> Bool { field == "*" || field == value }
            if matches(fields[0], host), matches(fields[1], String(port)), matches(fields[2], database),
                matches(fields[3], user)
            {
                return fields[4]
            }
        }
        return nil
    }
}
