import GRDB
import PostgresNIO

/// A failure of the store itself, with what it was doing.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The database was written by a newer version of this program.
        case schemaTooNew
        /// A stored row could not be read back (corruption or a manual edit).
        case corruptRow(String)
        /// The backup could not be written or failed its integrity check.
        case backupFailed(String)
        /// A database file could not be created or made private.
        case file(String)
        /// The database cannot be reached or written for now; nothing was changed.
        case unavailable(String)
        /// The database keeps the check value of another secret of this version: this server's
        /// data folder is not the one the database was set up with.
        case secretMismatch(Int)
        /// A phone-balance coupon changed, but this store was opened without the state keys.
        case noStateKey
    }

    public let kind: Kind

    public var description: String {
        switch kind {
        case .schemaTooNew:
            "the database was written by a newer version of coupon-server; upgrade the program, or restore a backup"
        case .corruptRow(let detail): "a stored row cannot be read: \(detail)"
        case .backupFailed(let detail): "backup failed: \(detail)"
        case .file(let detail): detail
        case .unavailable(let why): "\(why); nothing was changed, try again shortly"
        case .noStateKey:
            "this coupon carries its balance on the phone, but the server holds no state signing key (coupon-server state-keys)"
        case .secretMismatch(let version):
            "this server's secret (version \(version)) is not the one the database was set up with; copy the data folder of the first server (coupon-server init) to this one"
        }
    }
}

extension StoreError {
    /// The store as unavailable for a passing reason (a full disk, no file descriptors, an I/O
    /// error, a lock held too long, no memory), or nil for any other error. Such a request was
    /// rolled back whole; the same request may be sent again once the cause is gone.
    public static func unavailable(_ error: any Error) -> StoreError? {
        if let error = error as? StoreError, case .unavailable = error.kind { return error }
        if let error = error as? PSQLError { return unavailable(postgres: error) }
        guard let error = error as? DatabaseError else { return nil }
        let why: String? =
            switch error.resultCode {
            case .SQLITE_FULL: "the database's disk is full"
            case .SQLITE_CANTOPEN: "the database file cannot be opened (no file descriptors left?)"
            case .SQLITE_IOERR: "the database's disk reported an I/O error"
            case .SQLITE_BUSY, .SQLITE_LOCKED: "the database is busy"
            case .SQLITE_NOMEM: "the server is out of memory"
            case .SQLITE_READONLY: "the database cannot be written"
            default: nil
            }
        return why.map { StoreError(kind: .unavailable($0)) }
    }
}

extension StoreError {
    /// PostgreSQL's passing failures: the connection failed or closed, the pool is full or shut,
    /// the server is shutting down, out of disk or connections. A transaction cut off by one
    /// was not committed (or, for a lost COMMIT answer, may have been: the idempotency key tells).
    static func unavailable(postgres error: PSQLError) -> StoreError? {
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
            .sslUnsupported, .failedToAddSSLHandler:
            return StoreError(kind: .unavailable("the database cannot be reached"))
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            // 53: insufficient resources (disk full, out of memory, too many connections); 57P0x:
            // the server is shutting down or starting; 08: connection exceptions.
            if state.hasPrefix("53") { return StoreError(kind: .unavailable("the database is out of resources")) }
            if state.hasPrefix("57P") || state.hasPrefix("08") {
                return StoreError(kind: .unavailable("the database is restarting or unreachable"))
            }
            if state == "25006" { return StoreError(kind: .unavailable("the database is read-only (a standby)")) }
            return nil
        default:
            return nil
        }
    }
}
