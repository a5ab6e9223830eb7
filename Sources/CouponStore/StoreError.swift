/// A failure of the store itself, with what it was doing.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The database was written by a newer version of this program.
        case schemaTooNew
        /// A stored row could not be read back (corruption or a manual edit).
        case corruptRow(String)
        /// The backup could not be written or failed its integrity check.
        case backupFailed(String)
    }

    public let kind: Kind

    public var description: String {
        switch kind {
        case .schemaTooNew:
            "the database was written by a newer version of coupon-server; upgrade the program, or restore a backup"
        case .corruptRow(let detail): "a stored row cannot be read: \(detail)"
        case .backupFailed(let detail): "backup failed: \(detail)"
        }
    }
}
