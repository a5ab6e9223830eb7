/// Identifiers and keys from the system's cryptographic generator.
///
/// `SystemRandomNumberGenerator` reads `getrandom(2)` on Linux: it needs no file descriptor, so it
/// keeps working when a process has run out of them, and it traps rather than hand out weak bytes.
/// Nothing that must not repeat or be guessed is made by Foundation's UUID type, which reads a
/// device file and gave constant ids here once descriptors ran out.
///
/// ```swift
/// SecureID.make(prefix: "cpn")   // "cpn_9f0c3e1a7b2d4c6e8f10a2b4c6d8e0f1"
/// ```
public enum SecureID {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where out.count < count {
                out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return out
    }

    /// `count` random bytes as lowercase hex (twice as many characters).
    public static func hex(_ count: Int = 16) -> String { bytes(count).hex }

    /// `prefix_` then 128 random bits in hex: coupon, settlement, checkout and request ids.
    public static func make(prefix: String, bytes count: Int = 16) -> String { prefix + "_" + hex(count) }
}
