import ArgumentParser
import CLISupport
import CouponCore
import CouponServer
import CouponStore
import Foundation
import Logging

@main
struct CouponServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon-server",
        abstract: "The provider: holds coupons, balances, the catalogue and the ledger; settles over HTTP/JSON.",
        version: ProgramVersion.text,
        subcommands: [Serve.self, Initialize.self, Migrate.self, Backup.self, SecretCommand.self, StateKeysCommand.self],
        defaultSubcommand: Serve.self)
    /// Files this program creates (databases, keys, coupons, journals) are for its user alone: 0600,
    /// folders 0700. `umask` cannot fail; it returns the mask it replaces.
    static func main() async {
        _ = umask(0o077)
        await main(nil)
    }
}

/// Options every subcommand reads: a config file, then the environment, then flags (later wins).
struct CommonOptions: ParsableArguments {
    @Option(help: "A configuration file of KEY=VALUE lines (keys as the COUPON_* environment names).")
    var config: String?

    @Option(
        help:
            "A SQLite file (a path or sqlite:PATH; default ./data/coupons.sqlite) or postgres://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass; ?sslmode=require for TLS) (env COUPON_DATABASE)."
    )
    var database: String?

    @Option(
        help:
            "The folder of the secrets and the first admin key (default: the SQLite file's folder, or ./data for PostgreSQL; env COUPON_DATA)."
    )
    var data: String?

    @Option(
        name: .customLong("database-pool"),
        help: "Connections to PostgreSQL per server, 1-500 (default 20; env COUPON_DATABASE_POOL).")
    var databasePool: Int?

    /// The merged configuration.
    func resolve(
        host: String? = nil, port: Int? = nil, publicURL: String? = nil, holdSeconds: Int64? = nil,
        timeZone: String? = nil, flags: [String: String] = [:]
    )
        throws -> ServerConfiguration
    {
        var values: [String: String]
        do {
            values = try Settings.load(path: config, environment: ProcessInfo.processInfo.environment) {
                try? String(contentsOfFile: $0, encoding: .utf8)
            }
        } catch {
            throw ValidationError(error.description)
        }
        values.merge(flags) { $1 }
        var result = ServerConfiguration()
        result.host = host ?? values["COUPON_HOST"] ?? result.host
        if let port = port ?? values["COUPON_PORT"].flatMap(Int.init) { result.port = port }
        result.databasePath = database ?? values["COUPON_DATABASE"] ?? result.databasePath
        result.dataDirectory = data ?? values["COUPON_DATA"]
        if let pool = databasePool ?? values["COUPON_DATABASE_POOL"].flatMap({ Int($0) }) {
            guard (1...500).contains(pool) else { throw ValidationError("the database pool is 1 to 500 connections") }
            result.databasePool = pool
        }
        if PostgresLocation.isPostgres(result.databasePath) {
            do {
                _ = try PostgresLocation(url: result.databasePath, poolSize: result.databasePool)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        result.publicBaseURL = publicURL ?? values["COUPON_PUBLIC_URL"] ?? result.publicBaseURL
        if let hold = holdSeconds ?? values["COUPON_HOLD_SECONDS"].flatMap({ Int64($0) }) { result.holdSeconds = hold }
        result.timeZone = timeZone ?? values["COUPON_TIME_ZONE"] ?? result.timeZone
        if let proxies = values["COUPON_TRUSTED_PROXIES"] {
            result.trustedProxies = proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let limit = values["COUPON_FAILURE_LIMIT"].flatMap({ Int($0) }) { result.failureLimit = limit }
        if let days = values["COUPON_PHONE_RETENTION_DAYS"].map({ Int($0) ?? -1 }) {
            guard (0...3650).contains(days) else {
                throw ValidationError("the phone retention is 0 to 3650 days after a coupon is spent or expired")
            }
            result.phoneRetentionDays = days
        }
        try result.limits.read(values)
        try result.connections.read(values)
        let certificate = values["COUPON_TLS_CERT"], key = values["COUPON_TLS_KEY"]
        if certificate != nil || key != nil {
            guard let certificate, let key else {
                throw ValidationError("TLS needs both a certificate (--tls-cert) and its key (--tls-key)")
            }
            do {
                result.tls = try TLSReloader(certificatePath: certificate, keyPath: key)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if let webhook = values["COUPON_OUTBOX_WEBHOOK"], !webhook.isEmpty {
            guard let url = URLComponents(string: webhook), ["http", "https"].contains(url.scheme ?? ""),
                let host = url.host, !host.isEmpty
            else { throw ValidationError("the outbox webhook is an http or https URL, not '\(webhook)'") }
            // The messages hold coupon codes: plain HTTP only to this machine.
            guard url.scheme == "https" || ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
                throw ValidationError("the outbox webhook carries coupon codes: use https (plain http only to localhost)")
            }
            result.outboxWebhook = OutboxWebhook(url: webhook, secret: [])
        }
        guard (0...65535).contains(result.port) else { throw ValidationError("port \(result.port) is out of range") }
        guard result.holdSeconds >= 10 else { throw ValidationError("the hold time must be at least 10 seconds") }
        guard TimeZone(identifier: result.timeZone) != nil else {
            throw ValidationError("unknown time zone \(result.timeZone)")
        }
        return result
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP server.",
        discussion: """
            On first start the database and the data folder are created, with an admin key written to admin.key \
            (mode 0600) beside the database; the key is never logged.

            Example:
              coupon-server serve --port 8080 --database ./data/coupons.sqlite --public-url https://cpn.example
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "Address to bind (env COUPON_HOST).") var host: String?
    @Option(help: "Port to bind, 0 for any free one (env COUPON_PORT).") var port: Int?
    @Option(name: .customLong("public-url"), help: "Base of QR links (env COUPON_PUBLIC_URL).") var publicURL: String?
    @Option(name: .customLong("hold-seconds"), help: "How long a hold lasts (env COUPON_HOLD_SECONDS).")
    var holdSeconds: Int64?
    @Option(name: .customLong("time-zone"), help: "Zone where expiry dates end (env COUPON_TIME_ZONE).") var timeZone:
        String?
    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening.") var portFile:
        String?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS (env COUPON_TLS_CERT).")
    var tlsCertificate: String?
    @Option(
        name: .customLong("tls-key"), help: "PEM private key of --tls-cert; both reload on SIGHUP (env COUPON_TLS_KEY)."
    )
    var tlsKey: String?
    @Option(
        name: .customLong("phone-retention-days"),
        help:
            "Days a coupon's phone number is kept once it is spent or expired (default 90; env COUPON_PHONE_RETENTION_DAYS)."
    )
    var phoneRetentionDays: Int?
    @Option(
        name: .customLong("outbox-webhook"),
        help:
            "POST each outbox message (a phone-balance coupon's new state, with its code, MMS and SMS) to this URL, signed with data/webhook.secret (env COUPON_OUTBOX_WEBHOOK)."
    )
    var outboxWebhook: String?
    @Flag(name: .customLong("print-config"), help: "Print the resolved configuration and exit.") var printConfig = false

    func run() async throws {
        var flags: [String: String] = [:]
        if let tlsCertificate { flags["COUPON_TLS_CERT"] = tlsCertificate }
        if let tlsKey { flags["COUPON_TLS_KEY"] = tlsKey }
        if let phoneRetentionDays { flags["COUPON_PHONE_RETENTION_DAYS"] = "\(phoneRetentionDays)" }
        if let outboxWebhook { flags["COUPON_OUTBOX_WEBHOOK"] = outboxWebhook }
        var configuration = try common.resolve(
            host: host, port: port, publicURL: publicURL, holdSeconds: holdSeconds, timeZone: timeZone, flags: flags)
        configuration.connections = DescriptorBudget.fit(
            configuration.connections, descriptors: try DescriptorBudget.raise())
        if printConfig {
            print(
                """
                host=\(configuration.host)
                port=\(configuration.port)
                database=\(configuration.databasePath)
                data=\(DataFolder(configuration: configuration).directory)
                database_pool=\(configuration.databasePool)
                public_url=\(configuration.publicBaseURL)
                hold_seconds=\(configuration.holdSeconds)
                time_zone=\(configuration.timeZone)
                trusted_proxies=\(configuration.trustedProxies.joined(separator: ","))
                failure_limit=\(configuration.failureLimit)
                phone_retention_days=\(configuration.phoneRetentionDays)
                max_balance=\(configuration.limits.maxBalance)
                max_price=\(configuration.limits.maxPrice)
                max_batch=\(configuration.limits.maxBatch)
                max_body=\(configuration.limits.maxBody)
                max_basket_body=\(configuration.limits.maxBasketBody)
                max_bulk_body=\(configuration.limits.maxBulkBody)
                header_timeout=\(configuration.connections.headerTimeout.nanoseconds / 1_000_000_000)
                idle_timeout=\(configuration.connections.idleTimeout.nanoseconds / 1_000_000_000)
                max_pending_connections=\(configuration.connections.maxPending)
                max_connections=\(configuration.connections.maxConnections)
                descriptor_reserve=\(configuration.connections.descriptorReserve)
                tls=\(configuration.tls.map { "\($0.certificatePath) \($0.keyPath)" } ?? "off")
                outbox_webhook=\(configuration.outboxWebhook?.url ?? "off")
                code_hash_secret=(hidden, in \(DataFolder(configuration: configuration).secretPath))
                """)
            return
        }
        LoggingSystem.bootstrap(JSONLogHandler.init)
        var logger = Logger(label: "coupon-server")
        let level = ProcessInfo.processInfo.environment["COUPON_LOG_LEVEL"] ?? "info"
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ValidationError("COUPON_LOG_LEVEL is trace, debug, info, notice, warning, error or critical")
        }
        logger.logLevel = logLevel
        if let host = URLComponents(string: configuration.publicBaseURL)?.host,
            ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host)
        {
            logger.warning(
                "the public URL is \(configuration.publicBaseURL): the QR links and receipt links of every coupon point there, and no phone can open them; set --public-url (COUPON_PUBLIC_URL) to the address customers reach"
            )
        }
        // Where it will listen is taken first: a failed start creates nothing.
        let reservation = try await PortReservation.take(host: configuration.host, port: configuration.port)
        let folder = DataFolder(configuration: configuration)
        // On a shared database, a server makes no secret or state key of its own: it must hold init's.
        configuration.stateKeys = try folder.stateKeys(
            create: StoreOpener.sqlitePath(configuration.databasePath) != nil)
        let (store, secrets) = try await StoreOpener.open(
            configuration, folder: folder, createSecret: StoreOpener.sqlitePath(configuration.databasePath) != nil)
        // The same secret keys receipts' balance links; the MAC's input is prefixed, so the two never meet.
        // Receipts' links stay under the first secret: they are printed on paper and outlive rotations.
        configuration.balanceLinkSecret = secrets.first { $0.version == 1 }?.secret ?? secrets[0].secret
        if try await store.keyCount() == 0 {
            let (key, _) = try await store.createKey(role: .admin, station: nil, now: Instant.now)
            try folder.writePrivate(Array((key + "\n").utf8), to: folder.adminKeyPath)
            logger.notice("first start: an admin key was written", metadata: ["file": "\(folder.adminKeyPath)"])
        }
        configuration.metricsKey = try folder.metricsKey()
        if configuration.outboxWebhook != nil {
            configuration.outboxWebhook?.secret = try folder.webhookSecret()
        }
        let portFile = self.portFile
        let app = buildApplication(store: store, configuration: configuration, logger: logger) { port in
            if let portFile { try? Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: portFile), options: .atomic) }
        }
        do {
            try await reservation.release()
            try await app.runService()
        } catch {
            await StoreOpener.close(store)
            throw error
        }
        await StoreOpener.close(store)
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Copy the database to FILE while the server runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump), then check the copy.",
        discussion: "Example:\n  coupon-server backup /backups/coupons-2026-11-25.sqlite")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The backup file to create (must not exist).") var file: String

    func run() async throws {
        let configuration = try common.resolve()
        let (store, _) = try await StoreOpener.open(
            configuration, folder: DataFolder(configuration: configuration), createSecret: false)
        defer { Task { await StoreOpener.close(store) } }
        try await store.backup(to: file)
        if store is PostgresCouponStore {
            print("backup written to \(file) (pg_dump, custom format) and checked (pg_restore --list)")
        } else {
            print("backup written to \(file) and checked (integrity_check ok)")
        }
    }
}
