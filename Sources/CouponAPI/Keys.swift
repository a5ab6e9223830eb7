// The request and response bodies of docs/api.md; docs/openapi.yaml names each one.

/// `POST /v1/stations`.
public struct StationBody: Codable, Sendable, Equatable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

/// A registered station's key, shown once.
public struct StationKey: Codable, Sendable, Equatable {
    public var station: String
    public var keyID: String
    public var key: String

    enum CodingKeys: String, CodingKey {
        case station
        case keyID = "key_id"
        case key
    }

    public init(station: String, keyID: String, key: String) {
        self.station = station
        self.keyID = keyID
        self.key = key
    }
}

/// `POST /v1/keys`.
public struct AdminKeyBody: Codable, Sendable, Equatable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

/// A named admin key, shown once.
public struct AdminKey: Codable, Sendable, Equatable {
    public var name: String
    public var keyID: String
    public var key: String

    enum CodingKeys: String, CodingKey {
        case name
        case keyID = "key_id"
        case key
    }

    public init(name: String, keyID: String, key: String) {
        self.name = name
        self.keyID = keyID
        self.key = key
    }
}

/// An API key as listed: never the key itself.
public struct KeySummary: Codable, Sendable, Equatable {
    public var id: String
    public var role: String
    public var station: String?
    public var name: String?
    public var createdAt: String
    public var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case id
        case role
        case station
        case name
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    public init(
        id: String, role: String, station: String? = nil, name: String? = nil, createdAt: String,
        revokedAt: String? = nil
    ) {
        self.id = id
        self.role = role
        self.station = station
        self.name = name
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// `GET /v1/keys`, `GET /v1/stations`, `POST /v1/keys/{id}/revoke`.
public struct KeyList: Codable, Sendable, Equatable {
    public var keys: [KeySummary]

    public init(keys: [KeySummary]) {
        self.keys = keys
    }
}
