/// The modules of a QR symbol, without quiet zone.
public struct QRMatrix: Sendable, Equatable {
    /// Modules per side (21 for version 1, +4 per version).
    public let size: Int
    /// The symbol version, 1 to 40.
    public let version: Int
    /// `size * size` modules, row-major; true is dark.
    public let modules: [Bool]

    public init(size: Int, version: Int, modules: [Bool]) {
        precondition(modules.count == size * size)
        self.size = size
        self.version = version
        self.modules = modules
    }

    public subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }
}

/// QR error-correction level: the share of the symbol that may be damaged and still read.
public enum ErrorCorrection: String, Sendable, CaseIterable, Codable {
    /// About 7%.
    case low = "L"
    /// About 15%: the default here, since a phone screen under glare loses modules.
    case medium = "M"
    /// About 25%.
    case quartile = "Q"
    /// About 30%.
    case high = "H"

    /// Parses `L`, `M`, `Q` or `H` in either case, as qrencode's `-l` does.
    public init?(letter: String) {
        self.init(rawValue: letter.uppercased())
    }
}
