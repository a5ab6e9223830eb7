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
    /// How many outline points zbar reported: for 1-D codes, one per scan line that read it.
    public var outlinePoints: Int
    /// zbar's own XML of the symbol, as `zbarimg --xml` prints it (zbar's type names: a UPC-A
    /// is an `EAN-13` there, as zbarimg says).
    public var zbarXML: String = ""

    public init(
        symbology: Symbology, bytes: [UInt8], text: String, polygon: [Point], pass: String, outlinePoints: Int? = nil
    ) {
        self.symbology = symbology
        self.bytes = bytes
        self.text = text
        self.polygon = polygon
        self.pass = pass
        self.outlinePoints = outlinePoints ?? polygon.count
    }
}
