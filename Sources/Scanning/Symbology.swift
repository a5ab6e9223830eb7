/// The barcode types the station reads.
public enum Symbology: String, Sendable, CaseIterable, Codable, Comparable {
    case qr
    case ean13
    case ean8
    case upca
    case upce
    case code128

    /// The name `zbarimg` prints before the colon: `QR-Code`, `EAN-13`, ...
    public var zbarName: String {
        switch self {
        case .qr: "QR-Code"
        case .ean13: "EAN-13"
        case .ean8: "EAN-8"
        case .upca: "UPC-A"
        case .upce: "UPC-E"
        case .code128: "CODE-128"
        }
    }

    /// The ZXing-style name used in sample manifests: `QR_CODE`, `EAN_13`, ...
    public var manifestName: String {
        switch self {
        case .qr: "QR_CODE"
        case .ean13: "EAN_13"
        case .ean8: "EAN_8"
        case .upca: "UPC_A"
        case .upce: "UPC_E"
        case .code128: "CODE_128"
        }
    }

    /// Parses a command-line or manifest spelling: `qr`, `QR_CODE`, `QRCODE`, `ean-13`, `EAN_13`, ...
    public init?(name: String) {
        let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
        switch key {
        case "qr", "qrcode": self = .qr
        case "ean13": self = .ean13
        case "ean8": self = .ean8
        case "upca": self = .upca
        case "upce": self = .upce
        case "code128": self = .code128
        default: return nil
        }
    }

    /// True for the one-dimensional product codes.
    public var isLinear: Bool { self != .qr }

    public static func < (a: Symbology, b: Symbology) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
