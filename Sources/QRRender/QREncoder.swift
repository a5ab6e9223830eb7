import CQREncode

#if canImport(Glibc)
    import Glibc
#endif

/// Why a payload could not be encoded as a QR symbol.
public enum QREncodeError: Error, CustomStringConvertible, Sendable, Equatable {
    case emptyPayload
    case tooLarge(bytes: Int, level: ErrorCorrection, version: Int)
    case invalidVersion(Int)
    case library(errno: Int32)

    public var description: String {
        switch self {
        case .emptyPayload: "cannot encode an empty payload"
        case .tooLarge(let bytes, let level, let version):
            "\(bytes) bytes do not fit in a QR symbol at level \(level.rawValue)"
                + (version > 0 ? " and version \(version)" : "") + " (the largest, version 40-L, holds 2953)"
        case .invalidVersion(let v): "QR version \(v) is out of range (0 for automatic, or 1 to 40)"
        case .library(let code): "libqrencode failed: \(String(cString: strerror(code)))"
        }
    }
}

/// Encodes payloads as QR symbols with libqrencode.
///
/// ```swift
/// let matrix = try QREncoder.encode(text: "https://cpn.example/c#K7QF-2M9X", level: .medium)
/// ```
public enum QREncoder {
    /// Encodes text. Text without NUL characters is segmented into numeric, alphanumeric and byte
    /// modes for the smallest symbol; the bytes are the text's UTF-8.
    /// - Parameter version: the smallest version to use (0: the smallest that fits).
    public static func encode(text: String, level: ErrorCorrection = .medium, version: Int = 0) throws(QREncodeError)
        -> QRMatrix
    {
        let bytes = Array(text.utf8)
        if bytes.contains(0) { return try encode(bytes: bytes, level: level, version: version) }
        try validate(count: bytes.count, version: version)
        return try make(count: bytes.count, level: level, version: version) {
            QRcode_encodeString(text, Int32(version), level.qrLevel, QR_MODE_8, 1)
        }
    }

    /// Encodes bytes exactly (8-bit mode), NUL bytes included.
    public static func encode(bytes: [UInt8], level: ErrorCorrection = .medium, version: Int = 0) throws(QREncodeError)
        -> QRMatrix
    {
        try validate(count: bytes.count, version: version)
        return try make(count: bytes.count, level: level, version: version) {
            bytes.withUnsafeBufferPointer {
                QRcode_encodeData(Int32($0.count), $0.baseAddress, Int32(version), level.qrLevel)
            }
        }
    }

    private static func validate(count: Int, version: Int) throws(QREncodeError) {
        guard count > 0 else { throw .emptyPayload }
        guard (0...40).contains(version) else { throw .invalidVersion(version) }
    }

    /// Runs one libqrencode call and copies its modules into a ``QRMatrix``; the `QRcode` is freed here.
    private static func make(
        count: Int, level: ErrorCorrection, version: Int, _ call: () -> UnsafeMutablePointer<QRcode>?
    )
        throws(QREncodeError) -> QRMatrix
    {
        errno = 0
        guard let code = call() else {
            let error = errno
            if error == ERANGE || error == EINVAL { throw .tooLarge(bytes: count, level: level, version: version) }
            throw .library(errno: error)
        }
        defer { QRcode_free(code) }
        let size = Int(code.pointee.width)
        let data = UnsafeBufferPointer(start: code.pointee.data, count: size * size)
        return QRMatrix(size: size, version: Int(code.pointee.version), modules: data.map { $0 & 1 == 1 })
    }
}

extension ErrorCorrection {
    var qrLevel: QRecLevel {
        switch self {
        case .low: QR_ECLEVEL_L
        case .medium: QR_ECLEVEL_M
        case .quartile: QR_ECLEVEL_Q
        case .high: QR_ECLEVEL_H
        }
    }
}
