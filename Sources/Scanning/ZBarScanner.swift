import CZBar
import Imaging

#if canImport(Glibc)
    import Glibc
#endif

/// A raw result of one zbar pass, before any normalisation.
struct ZBarSymbol: Sendable {
    var type: zbar_symbol_type_t
    var bytes: [UInt8]
    var polygon: [Point]
    /// zbar's own XML of the symbol (`zbar_symbol_xml`), as `zbarimg --xml` prints it.
    var xml: String = ""
}

/// Owns one zbar image scanner configured for a set of symbologies.
///
/// zbar's scanner carries 1-D decoder state from one image to the next, so results would depend on
/// the order of images; the pipeline therefore creates a new one for every image it scans.
final class ZBarScanner {
    private let handle: OpaquePointer
    /// Whether each symbol's XML is kept (``ZBarSymbol/xml``).
    private let describing: Bool

    /// - Parameter density: scan every `x`-th column and `y`-th row (zbar's default is every
    ///   one); an enlarged image repeats its rows, so skipping some costs few reads.
    /// - Parameter describing: keep zbar's XML of each symbol.
    init(symbologies: Set<Symbology>, density: (x: Int32, y: Int32) = (1, 1), describing: Bool = false)
        throws(ScanError)
    {
        guard let handle = zbar_image_scanner_create() else {
            throw ScanError(operation: "zbar_image_scanner_create", code: -1)
        }
        self.handle = handle
        self.describing = describing
        // D-Bus broadcasting off, or zbar prints "Connection Error" on machines without a bus.
        try check(zbar_image_scanner_request_dbus(handle, 0), "zbar_image_scanner_request_dbus")
        try check(
            zbar_image_scanner_set_config(handle, ZBAR_NONE, ZBAR_CFG_ENABLE, 0),
            "zbar_image_scanner_set_config (disable all symbologies)")
        for symbology in symbologies {
            let type = symbology.zbarType
            try check(
                zbar_image_scanner_set_config(handle, type, ZBAR_CFG_ENABLE, 1),
                "zbar_image_scanner_set_config (enable \(symbology.zbarName))")
        }
        if density != (1, 1) {
            try check(
                zbar_image_scanner_set_config(handle, ZBAR_NONE, ZBAR_CFG_X_DENSITY, density.x),
                "zbar_image_scanner_set_config (x density)")
            try check(
                zbar_image_scanner_set_config(handle, ZBAR_NONE, ZBAR_CFG_Y_DENSITY, density.y),
                "zbar_image_scanner_set_config (y density)")
        }
        if symbologies.contains(.qr) {
            try check(
                zbar_image_scanner_set_config(handle, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1),
                "zbar_image_scanner_set_config (QR binary mode)")
        }
    }

    deinit { zbar_image_scanner_destroy(handle) }

    /// Scans `image` once and returns what zbar found.
    func scan(_ image: GreyImage) throws(ScanError) -> [ZBarSymbol] {
        guard !image.isEmpty else { return [] }
        guard let zimage = zbar_image_create() else { throw ScanError(operation: "zbar_image_create", code: -1) }
        defer { zbar_image_destroy(zimage) }
        zbar_image_set_format(zimage, ZBarScanner.y800)
        zbar_image_set_size(zimage, UInt32(image.width), UInt32(image.height))
        return try image.pixels.withUnsafeBufferPointer { (buffer) throws(ScanError) -> [ZBarSymbol] in
            // The pixels are borrowed for this scope only; zbar must not free them.
            zbar_image_set_data(zimage, buffer.baseAddress, UInt(buffer.count), nil)
            defer { zbar_image_set_data(zimage, nil, 0, nil) }
            let status = zbar_scan_image(handle, zimage)
            guard status >= 0 else { throw ScanError(operation: "zbar_scan_image", code: status) }
            var found: [ZBarSymbol] = []
            var symbol = zbar_image_first_symbol(zimage)
            while let current = symbol {
                let length = Int(zbar_symbol_get_data_length(current))
                let bytes: [UInt8]
                if length > 0, let data = zbar_symbol_get_data(current) {
                    bytes = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                        Array(UnsafeBufferPointer(start: $0, count: length))
                    }
                } else {
                    bytes = []
                }
                var polygon: [Point] = []
                for i in 0..<zbar_symbol_get_loc_size(current) {
                    polygon.append(
                        Point(
                            x: Double(zbar_symbol_get_loc_x(current, i)), y: Double(zbar_symbol_get_loc_y(current, i))))
                }
                found.append(
                    ZBarSymbol(
                        type: zbar_symbol_get_type(current), bytes: bytes, polygon: polygon,
                        xml: describing ? Self.xml(of: current) : "")
                )
                symbol = zbar_symbol_next(current)
            }
            return found
        }
    }

    /// zbar's XML of `symbol`; its buffer is allocated by zbar and freed here.
    static func xml(of symbol: OpaquePointer) -> String {
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var length: UInt32 = 0
        defer { free(buffer) }
        guard let text = zbar_symbol_xml(symbol, &buffer, &length) else { return "" }
        return String(cString: text)
    }

    private func check(_ status: Int32, _ what: String) throws(ScanError) {
        guard status == 0 else { throw ScanError(operation: what, code: status) }
    }

    static let y800 = zbar_fourcc_parse("Y800")
}

extension Symbology {
    var zbarType: zbar_symbol_type_t {
        switch self {
        case .qr: ZBAR_QRCODE
        case .ean13: ZBAR_EAN13
        case .ean8: ZBAR_EAN8
        case .upca: ZBAR_UPCA
        case .upce: ZBAR_UPCE
        case .code128: ZBAR_CODE128
        }
    }
}
