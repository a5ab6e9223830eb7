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
    /// A named admin key's holder (`alice`); nil for station keys and the first-start key.
    public var name: String?

    public init(keyID: String, role: Role, station: String?, name: String? = nil) {
        self.keyID = keyID
        self.role = role
        self.station = station
        self.name = name
    }

    /// The name written in the ledger as the actor.
    public var actor: String { station.map { "station:\($0)" } ?? name.map { "admin:\($0)" } ?? "admin:\(keyID)" }
}
