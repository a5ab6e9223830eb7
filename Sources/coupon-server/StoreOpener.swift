import ArgumentParser
import CouponServer
import CouponStore
import Foundation
import SignedState

/// Opens the store `--database` names: a SQLite file (a path, or `sqlite:PATH`) or a PostgreSQL
/// database (`postgres://USER@HOST:PORT/DB`), with the data folder's secrets.
enum StoreOpener {
    /// The SQLite path `database` names, or nil for a PostgreSQL URL.
    static func sqlitePath(_ database: String) -> String? {
        if PostgresLocation.isPostgres(database) { return nil }
        return database.hasPrefix("sqlite:") ? String(database.dropFirst("sqlite:".count)) : database
    }

    /// The store, its schema brought up to date. On PostgreSQL the data folder must hold a secret
    /// already (`init` makes it) unless `createSecret`, and the database refuses another secret.
    static func open(
        _ configuration: ServerConfiguration, folder: DataFolder, createSecret: Bool = true
    ) async throws -> (store: any CouponStore, secrets: [(version: Int, secret: [UInt8])]) {
        let states = configuration.stateKeys.map(PhoneStates.init)
        if let path = sqlitePath(configuration.databasePath) {
            let secrets = try folder.secrets()
            let store = try SQLiteCouponStore(
                path: path, hasher: CodeHasher(versions: secrets), maxBalance: configuration.limits.maxBalance,
                phoneStates: states)
            return (store, secrets)
        }
        let location = try PostgresLocation(url: configuration.databasePath, poolSize: configuration.databasePool)
        let secrets = try folder.secrets(create: createSecret)
        let store = try await PostgresCouponStore(
            location: location, hasher: CodeHasher(versions: secrets), maxBalance: configuration.limits.maxBalance,
            phoneStates: states)
        return (store, secrets)
    }

    static func isSQLite(_ database: String) -> Bool { sqlitePath(database) != nil }

    /// The database for messages (a URL never holds a password).
    static func describe(_ database: String) -> String {
        if let path = sqlitePath(database) { return path }
        return (try? PostgresLocation(url: database))?.description ?? database
    }

    /// Closes a PostgreSQL store's connections (a SQLite store needs nothing).
    static func close(_ store: any CouponStore) async {
        if let postgres = store as? PostgresCouponStore { await postgres.shutdown() }
    }
}
