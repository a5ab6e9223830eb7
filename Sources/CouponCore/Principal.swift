/// Who is calling: an API key's role, and for a station key, which station.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable, Codable, CaseIterable {
        /// Issues, loads, adjusts, blocks, reissues, refunds, manages products and stations.
        case admin
        /// Inquires, settles, captures and voids its own settlements only.
        case station
    }

    public var keyID: String
    public var role: Role
    /// The station's name for a station key; nil for admin keys.
    public var station: String?

    public init(keyID: String, role: Role, station: String?) {
        self.keyID = keyID
        self.role = role
        self.station = station
    }

    /// The name written in the ledger as the actor.
    public var actor: String { station.map { "station:\($0)" } ?? "admin:\(keyID)" }
}
