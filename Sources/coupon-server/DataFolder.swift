import ArgumentParser
import CouponCore
import CouponServer
import CouponStore
import Foundation
import SignedState

/// The server's data folder: the code-hash secrets and the first admin key, all 0600. Beside the
/// SQLite file by default; for PostgreSQL `./data` or `--data DIR`, never in the database, and the
/// same folder (copied) on every server of one database.
struct DataFolder {
    let directory: String

    init(directory: String) {
        self.directory = directory
    }

    /// The folder `--data` names, else the SQLite file's folder, else `./data`.
    init(configuration: ServerConfiguration) {
        if let explicit = configuration.dataDirectory {
            directory = explicit
        } else if let path = StoreOpener.sqlitePath(configuration.databasePath) {
            let parent = (path as NSString).deletingLastPathComponent
            directory = parent.isEmpty ? "." : parent
        } else {
            directory = "./data"
        }
    }
    var secretPath: String { directory + "/code-hash.secret" }
    var adminKeyPath: String { directory + "/admin.key" }
    var metricsKeyPath: String { directory + "/metrics.key" }
    var stateKeysPath: String { directory + "/state-keys" }
    var webhookSecretPath: String { directory + "/webhook.secret" }

    /// The outbox webhook's HMAC key, made on first use (0600): 64 hex digits, which the receiver
    /// keeps too.
    func webhookSecret() throws -> [UInt8] {
        if let data = FileManager.default.contents(atPath: webhookSecretPath),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            text.count >= 32
        {
            return Array(text.utf8)
        }
        let secret = SecureID.hex(32)
        try writePrivate(Array((secret + "\n").utf8), to: webhookSecretPath)
        return Array(secret.utf8)
    }

    /// The state signing keys (Ed25519) of phone-balance coupons, made on first use with `create`.
    /// Every server of one database must hold the same file: `init` makes it, then it is copied.
    func stateKeys(create: Bool) throws -> KeyRing {
        if let data = FileManager.default.contents(atPath: stateKeysPath) {
            do { return try KeyRing(fileText: String(decoding: data, as: UTF8.self)) } catch {
                throw ValidationError("\(stateKeysPath): \(error)")
            }
        }
        guard create else {
            throw ValidationError(
                "\(directory) holds no state-keys file: run coupon-server init --data \(directory) --database URL once (or, for a folder made before state keys, coupon-server state-keys list --data \(directory)), then copy that folder to every server of the database"
            )
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ring = KeyRing.generate()
        try save(ring)
        return ring
    }

    /// Writes the key ring (0600) through a temporary file and a rename: a crash leaves the old
    /// file or the new one, never half of one.
    func save(_ ring: KeyRing) throws {
        let temporary = stateKeysPath + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        try writePrivate(Array(ring.fileText.utf8), to: temporary)
        guard rename(temporary, stateKeysPath) == 0 else {
            throw ValidationError("cannot replace \(stateKeysPath): \(String(cString: strerror(errno)))")
        }
    }

    /// The token that may read `/metrics` (for a Prometheus `bearer_token_file`), made on first
    /// use, mode 0600.
    func metricsKey() throws -> String {
        if let data = FileManager.default.contents(atPath: metricsKeyPath),
            let key = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !key.isEmpty
        {
            return key
        }
        let key = SecureID.make(prefix: "mtk")
        try writePrivate(Array((key + "\n").utf8), to: metricsKeyPath)
        return key
    }

    /// The file of secret version `version`: `code-hash.secret` for 1, `code-hash.vN.secret` after.
    func secretPath(version: Int) -> String {
        version == 1 ? secretPath : directory + "/code-hash.v\(version).secret"
    }

    /// Every live code-hash secret by version, version 1 created on first start. Without them no
    /// coupon can be found by its code: back them up with the database, but apart from it.
    /// With `create: false` (a server on a shared database) a folder without a secret is an error:
    /// every server of one database must hold the first one's secrets.
    func secrets(create: Bool = true) throws -> [(version: Int, secret: [UInt8])] {
        if !create, try !FileManager.default.fileExists(atPath: directory) || versionsOnDisk().isEmpty {
            throw ValidationError(
                "\(directory) holds no code-hash secret: run coupon-server init --data \(directory) --database URL once, then copy that folder to every server of the database"
            )
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: secretPath), try versionsOnDisk().isEmpty {
            try writePrivate(CodeHasher.newSecret(), to: secretPath)
        }
        return try versionsOnDisk().map { version in
            let path = secretPath(version: version)
            guard let data = FileManager.default.contents(atPath: path), data.count >= 32 else {
                throw ValidationError("\(path) is damaged (under 32 bytes)")
            }
            return (version, [UInt8](data))
        }
    }

    /// The versions whose secret files exist, lowest first.
    func versionsOnDisk() throws -> [Int] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return names.compactMap { name -> Int? in
            if name == "code-hash.secret" { return 1 }
            guard name.hasPrefix("code-hash.v"), name.hasSuffix(".secret") else { return nil }
            return Int(name.dropFirst("code-hash.v".count).dropLast(".secret".count)).flatMap { $0 >= 2 ? $0 : nil }
        }.sorted()
    }

    func writePrivate(_ bytes: [UInt8], to path: String) throws {
        guard
            FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        else {
            throw ValidationError("cannot write \(path)")
        }
    }
}
