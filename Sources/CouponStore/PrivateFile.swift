import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Database files are for the server's user alone (mode 0600): they hold balances, phone numbers
/// and code hashes. SQLite gives its `-wal` and `-shm` files the mode of the database file, so a
/// database created 0600 keeps all three private.
enum PrivateFile {
    /// Creates the database file 0600 when it is missing, and narrows an existing one (with its
    /// `-wal` and `-shm`) to 0600.
    static func prepare(database path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            try createEmpty(path)
            return
        }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard chmod(file, 0o600) == 0 else { throw failure("cannot make \(file) private (mode 0600)") }
        }
    }

    /// Creates an empty file with mode 0600; fails when it exists.
    static func createEmpty(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(path)") }
        guard close(fd) == 0 else { throw failure("cannot close \(path)") }
    }

    private static func failure(_ what: String) -> StoreError {
        StoreError(kind: .file("\(what): \(String(cString: strerror(errno)))"))
    }
}
