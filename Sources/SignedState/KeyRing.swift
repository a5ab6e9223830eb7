import Crypto
import Foundation

/// An Ed25519 key the provider signs states with. Its id is the first 4 bytes of the SHA-256 of
/// its public key, in hex: derived, so a ring cannot pair an id with the wrong key.
public struct SigningKey: Sendable {
    /// The private key's 32 bytes (swift-crypto's key types are not Sendable; bytes are).
    let raw: [UInt8]

    /// A new key from the system's cryptographic generator.
    public init() { raw = Array(Curve25519.Signing.PrivateKey().rawRepresentation) }

    /// The key of these 32 private-key bytes (a sample set's fixed key; servers make theirs with ``init()``).
    public init(privateKey raw: [UInt8]) throws(KeyRingError) { try self.init(raw: raw) }

    init(raw: [UInt8]) throws(KeyRingError) {
        guard (try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)) != nil else {
            throw .malformed("a private key is not 32 bytes of base64")
        }
        self.raw = raw
    }

    var privateKey: Curve25519.Signing.PrivateKey {
        // The initialisers checked the bytes.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    var publicRaw: [UInt8] { Array(privateKey.publicKey.rawRepresentation) }

    public var id: String { KeyRing.id(of: publicRaw) }

    func signature(for body: [UInt8]) -> [UInt8] {
        // Ed25519 signing only fails for a key that is not one, which the initialisers rule out.
        (try? Array(privateKey.signature(for: body))) ?? []
    }
}

/// The provider's state keys: one `active` (it signs), earlier ones `valid` (their states still
/// verify) until `retired` (their states are refused). The server keeps the private keys in its
/// data folder (mode 0600); a till holds only the public keys, from `GET /v1/public/keys`.
public struct KeyRing: Sendable {
    public enum Status: String, Sendable, Codable { case active, valid, retired }

    public struct Entry: Sendable {
        public var id: String
        public var status: Status
        /// The public key's 32 bytes.
        let publicRaw: [UInt8]
        var signing: SigningKey?

        /// The public key, base64 of its 32 bytes.
        public var publicKeyBase64: String { Data(publicRaw).base64EncodedString() }

        func isValidSignature(_ signature: [UInt8], for body: [UInt8]) -> Bool {
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicRaw) else { return false }
            return key.isValidSignature(signature, for: body)
        }
    }

    public private(set) var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    /// A ring of one new active key.
    public static func generate() -> KeyRing {
        let key = SigningKey()
        return KeyRing(entries: [Entry(id: key.id, status: .active, publicRaw: key.publicRaw, signing: key)])
    }

    /// A till's ring: public keys (base64) with their statuses, as `GET /v1/public/keys` gives them.
    public init(publicKeys: [(id: String, base64: String, status: Status)]) throws(KeyRingError) {
        var entries: [Entry] = []
        for key in publicKeys {
            guard let data = Data(base64Encoded: key.base64),
                (try? Curve25519.Signing.PublicKey(rawRepresentation: data)) != nil
            else { throw .malformed("public key \(key.id) is not 32 bytes of base64") }
            guard Self.id(of: Array(data)) == key.id else { throw .malformed("key id \(key.id) is not its key's") }
            entries.append(Entry(id: key.id, status: key.status, publicRaw: Array(data), signing: nil))
        }
        self.entries = entries
    }

    public func entry(_ id: String) -> Entry? { entries.first { $0.id == id } }

    /// The key that signs, if this ring holds private keys.
    public var active: SigningKey? { entries.first { $0.status == .active }?.signing }

    /// A new active key; the active one becomes valid (its states keep verifying).
    public mutating func rotate() -> String {
        for index in entries.indices where entries[index].status == .active { entries[index].status = .valid }
        let key = SigningKey()
        entries.append(Entry(id: key.id, status: .active, publicRaw: key.publicRaw, signing: key))
        return key.id
    }

    /// Retires a valid key: its states are refused from now on. The active key cannot be retired
    /// (rotate first), so a ring always signs.
    public mutating func retire(_ id: String) throws(KeyRingError) {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { throw .unknownKey(id) }
        guard entries[index].status != .active else { throw .activeKey(id) }
        entries[index].status = .retired
    }

    // MARK: The data folder's file

    static let header =
        "# coupon-server state signing keys: KEY_ID STATUS PRIVATE_KEY (active signs, valid verifies, retired is refused)"

    /// The file's text: a header, then one `ID STATUS BASE64` line per key.
    public var fileText: String {
        ([Self.header]
            + entries.compactMap { entry in
                entry.signing.map { "\(entry.id) \(entry.status.rawValue) \(Data($0.raw).base64EncodedString())" }
            }).joined(separator: "\n") + "\n"
    }

    /// The ring of a file's text; exactly one key must be active.
    public init(fileText: String) throws(KeyRingError) {
        var entries: [Entry] = []
        for line in fileText.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") && !line.isEmpty {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3, let status = Status(rawValue: parts[1]), let raw = Data(base64Encoded: parts[2])
            else { throw .malformed("the line '\(parts.first ?? "")…' is not ID STATUS KEY") }
            let key = try SigningKey(raw: Array(raw))
            guard key.id == parts[0] else { throw .malformed("key id \(parts[0]) is not its key's") }
            entries.append(Entry(id: key.id, status: status, publicRaw: key.publicRaw, signing: key))
        }
        guard entries.filter({ $0.status == .active }).count == 1 else {
            throw .malformed("\(entries.filter { $0.status == .active }.count) active keys; exactly one must sign")
        }
        self.entries = entries
    }

    static func id(of publicKey: [UInt8]) -> String {
        StateToken.hex(Array(SHA256.hash(data: publicKey))[0..<4])
    }
}

/// Why a key ring could not be read or changed.
public enum KeyRingError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unknownKey(String)
    case activeKey(String)

    public var description: String {
        switch self {
        case .malformed(let why): "the state key file is not valid: \(why)"
        case .unknownKey(let id): "no state key \(id)"
        case .activeKey(let id): "key \(id) is the active one: rotate first, then retire it"
        }
    }
}
