/// `POST /v1/users`: a console user, added by an admin (`couponctl users add`). The password is
/// kept only as its scrypt hash.
public struct ConsoleUserBody: Codable, Sendable, Equatable {
    public var name: String
    /// `admin` or `viewer`.
    public var role: String
    public var password: String

    public init(name: String, role: String, password: String) {
        self.name = name
        self.role = role
        self.password = password
    }
}

/// A console user as the API shows one: never the password or its hash.
public struct ConsoleUserInfo: Codable, Sendable, Equatable {
    public var name: String
    public var role: String

    public init(name: String, role: String) {
        self.name = name
        self.role = role
    }
}

/// `GET /v1/users`.
public struct ConsoleUserList: Codable, Sendable, Equatable {
    public var users: [ConsoleUserInfo]

    public init(users: [ConsoleUserInfo]) { self.users = users }
}
