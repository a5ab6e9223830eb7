import ArgumentParser
import CouponCore
import CouponServer
import CouponStore
import Foundation

/// `coupon-server init`: the data folder and the schema, once, before the first server starts.
struct Initialize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the data folder (secret, first admin key) and the database's schema, once.",
        discussion: """
            On PostgreSQL the database is created when missing, the schema is brought up to date, and the \
            database keeps a check value of the secret (never the secret): copy the data folder to every \
            server of the database; a server holding another secret refuses to start.

            Example:
              coupon-server init --data /etc/coupon/data --database postgres://coupon@db1:5432/coupons
            """)

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration = try common.resolve()
        let folder = DataFolder(configuration: configuration)
        if !StoreOpener.isSQLite(configuration.databasePath) {
            let location = try PostgresLocation(url: configuration.databasePath, poolSize: 2)
            if try await PostgresCouponStore.createDatabase(location) {
                print("created the database \(location)")
            }
        }
        let (store, secrets) = try await StoreOpener.open(configuration, folder: folder, createSecret: true)
        defer { Task { await StoreOpener.close(store) } }
        let ring = try folder.stateKeys(create: true)
        print("state signing keys in \(folder.stateKeysPath): \(ring.entries.map(\.id).joined(separator: ", "))")
        print(
            "data folder \(folder.directory): secret versions \(secrets.map { "v\($0.version)" }.joined(separator: ", "))"
        )
        if try await store.keyCount() == 0 {
            let (key, _) = try await store.createKey(role: .admin, station: nil, now: Instant.now)
            try folder.writePrivate(Array((key + "\n").utf8), to: folder.adminKeyPath)
            print("first admin key written to \(folder.adminKeyPath) (0600)")
        }
        print("schema ready in \(StoreOpener.describe(configuration.databasePath))")
        await StoreOpener.close(store)
    }
}

/// `coupon-server migrate --from FILE --to URL`: a shop moves from SQLite to PostgreSQL.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a SQLite database into a new PostgreSQL one in one transaction, and audit both.",
        discussion: """
            Copies coupons, the ledger (with its numbers), settlements, products, stations and keys, and the \
            idempotency rows; refuses a target that holds any. The data folder of the SQLite file (its secrets) \
            is the one the PostgreSQL servers must use: every code keeps working. Stop the SQLite server first.

            Example:
              coupon-server migrate --from ./data/coupons.sqlite --to postgres://coupon@db1:5432/coupons
            """)

    @Option(help: "The SQLite database file to copy.") var from: String
    @Option(help: "The PostgreSQL database to copy into (created when missing; must be empty).") var to: String
    @Option(help: "The data folder of the SQLite file (default: its folder).") var data: String?
    @Option(name: .customLong("database-pool"), help: "Connections to PostgreSQL (default 4).") var pool = 4
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        guard let path = StoreOpener.sqlitePath(from), FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("--from is an existing SQLite file, not \(from)")
        }
        guard PostgresLocation.isPostgres(to) else { throw ValidationError("--to is a postgres:// URL, not \(to)") }
        var source = ServerConfiguration()
        source.databasePath = path
        source.dataDirectory = data
        let folder = DataFolder(configuration: source)
        let secrets = try folder.secrets(create: false)
        let hasher = CodeHasher(versions: secrets)
        let sqlite = try SQLiteCouponStore(path: path, hasher: hasher)
        let location = try PostgresLocation(url: to, poolSize: pool)
        _ = try await PostgresCouponStore.createDatabase(location)
        let target = try await PostgresCouponStore(location: location, hasher: hasher)
        do {
            let before = try await sqlite.audit()
            let counts = try await target.importAll(from: sqlite) { table, rows in
                if !json, isatty(STDERR_FILENO) != 0 {
                    FileHandle.standardError.write(Data("\r\(table): \(rows) rows   ".utf8))
                }
            }
            if !json, isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data("\n".utf8)) }
            let after = try await target.audit()
            let liabilityBefore = try await sqlite.liability(asOf: nil)
            let liabilityAfter = try await target.liability(asOf: nil)
            let same = liabilityBefore == liabilityAfter
            if json {
                let report = MigrateReport(
                    copied: Dictionary(uniqueKeysWithValues: counts.tables.map { ($0.name, $0.rows) }),
                    sourceAuditFindings: before.count, targetAuditFindings: after.count,
                    liabilitySource: liabilityBefore.mapValues { "\($0)" },
                    liabilityTarget: liabilityAfter.mapValues { "\($0)" }, liabilityEqual: same)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print("copied: \(counts)")
                print("audit of \(path): \(before.isEmpty ? "clean" : "\(before.count) findings")")
                print("audit of \(location): \(after.isEmpty ? "clean" : "\(after.count) findings")")
                for (currency, amount) in liabilityAfter.sorted(by: { $0.key < $1.key }) {
                    print(
                        "outstanding \(currency): \(amount) minor units on both: \(liabilityBefore[currency] == amount)"
                    )
                }
                print("use the data folder \(folder.directory) (copied) for every server of \(location)")
            }
            await target.shutdown()
            guard after.isEmpty, before.count == after.count || before.isEmpty, same else { throw ExitCode(1) }
        } catch {
            await target.shutdown()
            throw error
        }
    }
}

/// What `migrate --json` prints: rows copied per table, both audits' finding counts, and the
/// outstanding amount per currency on both sides (minor units as text: sums may pass 64 bits).
struct MigrateReport: Encodable {
    var copied: [String: Int]
    var sourceAuditFindings: Int
    var targetAuditFindings: Int
    var liabilitySource: [String: String]
    var liabilityTarget: [String: String]
    var liabilityEqual: Bool

    // Explicit: a key strategy would also rewrite the dictionaries' keys (currency codes).
    enum CodingKeys: String, CodingKey {
        case copied
        case sourceAuditFindings = "source_audit_findings"
        case targetAuditFindings = "target_audit_findings"
        case liabilitySource = "liability_source"
        case liabilityTarget = "liability_target"
        case liabilityEqual = "liability_equal"
    }
}
