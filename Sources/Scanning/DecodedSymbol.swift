import Imaging

/// One code found in an image.
public struct DecodedSymbol: Sendable, Equatable {
    public var symbology: Symbology
    /// The payload exactly as encoded (QR in binary mode; digits for EAN/UPC).
    public var bytes: [UInt8]
    /// The payload as text: UTF-8, else Shift_JIS, else Latin-1.
    public var text: String
    /// The outline zbar reported, in the coordinates of the original image.
    public var polygon: [Point]
    /// The name of the decode pass that found it.
    public var pass: String

    public init(symbology: Symbology, bytes: [UInt8], text: String, polygon: [Point], pass: String) {
        self.symbology = symbology
        self.bytes = bytes
        self.text = text
        self.polygon = polygon
        self.pass = pass
    }
}
