#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One iconv conversion descriptor, from one charset to another: the one owner of its
/// `iconv_t`, every result of iconv checked. Used by the scanner (payload text) and the receipt
/// printer (GB18030 and code pages). Not shared between threads.
public final class TextConverter {
    public let from: String
    public let to: String
    private let descriptor: iconv_t

    /// - Throws: ``TextConverterError/unsupported`` when this system's iconv does not convert
    ///   between the two.
    public init(from: String, to: String) throws(TextConverterError) {
        self.from = from
        self.to = to
        guard let descriptor = iconv_open(to, from), Int(bitPattern: descriptor) != -1 else {
            throw .unsupported(from: from, to: to, errno: errno)
        }
        self.descriptor = descriptor
    }

    deinit {
        // iconv_close fails only for a descriptor that is not open; this one is, until now.
        let closed = iconv_close(descriptor)
        assert(closed == 0, "iconv_close failed: errno \(errno)")
    }

    /// Back to the initial shift state, so the next conversion does not depend on the last.
    public func reset() throws(TextConverterError) {
        guard iconv(descriptor, nil, nil, nil, nil) != -1 else { throw .failed(errno: errno) }
    }

    /// All of `bytes`, converted; the output grows as needed.
    /// - Throws: ``TextConverterError/invalid`` when the bytes are not valid in the source
    ///   charset or cannot be written in the target one.
    public func convert(_ bytes: [UInt8]) throws(TextConverterError) -> [UInt8] {
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: max(16, bytes.count * 4))
        var produced = 0
        var consumed = 0
        while consumed < input.count {
            let step: (read: Int, written: Int, status: Int, errno: Int32) = input.withUnsafeMutableBufferPointer {
                inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    var inPtr = inBuf.baseAddress.map { $0 + consumed }
                    var inLeft = inBuf.count - consumed
                    var outPtr = outBuf.baseAddress.map { $0 + produced }
                    var outLeft = outBuf.count - produced
                    let status = iconv(descriptor, &inPtr, &inLeft, &outPtr, &outLeft)
                    return (inBuf.count - consumed - inLeft, outBuf.count - produced - outLeft, status, errno)
                }
            }
            consumed += step.read
            produced += step.written
            if step.status != -1 { continue }
            switch step.errno {
            case E2BIG: output += [CChar](repeating: 0, count: output.count)
            case EILSEQ, EINVAL: throw .invalid(from: from, to: to)
            default: throw .failed(errno: step.errno)
            }
        }
        return output[..<produced].map { UInt8(bitPattern: $0) }
    }
}

/// Why a text conversion failed.
public enum TextConverterError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupported(from: String, to: String, errno: Int32)
    case invalid(from: String, to: String)
    case failed(errno: Int32)

    public var description: String {
        switch self {
        case .unsupported(let from, let to, let errno):
            "this system's iconv cannot convert \(from) to \(to) (errno \(errno))"
        case .invalid(let from, let to): "the text is not valid \(from), or cannot be written in \(to)"
        case .failed(let errno): "iconv failed (errno \(errno))"
        }
    }
}
