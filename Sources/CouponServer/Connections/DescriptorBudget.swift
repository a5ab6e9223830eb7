#if canImport(Glibc)
    import Glibc
#endif

/// File descriptors: the process raises its soft limit to the hard one, and keeps
/// ``ConnectionLimits/descriptorReserve`` of them out of the connections' reach, so the database
/// can always open its files.
public enum DescriptorBudget {
    /// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the new soft limit.
    /// - Throws: ``DescriptorLimitError`` when the limit cannot be read or set.
    public static func raise() throws -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw DescriptorLimitError(call: "getrlimit", errno: errno)
        }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
                throw DescriptorLimitError(call: "setrlimit", errno: errno)
            }
        }
        return limit.rlim_cur > UInt64(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// `limits` with `maxConnections` lowered to what `descriptors` leaves after the reserve.
    public static func fit(_ limits: ConnectionLimits, descriptors: Int) -> ConnectionLimits {
        var fitted = limits
        fitted.maxConnections = max(16, min(limits.maxConnections, descriptors - limits.descriptorReserve))
        fitted.maxPending = min(limits.maxPending, max(8, fitted.maxConnections / 2))
        return fitted
    }
}

/// `getrlimit` or `setrlimit` failed.
public struct DescriptorLimitError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32
    public var description: String { "\(call)(RLIMIT_NOFILE) failed: \(String(cString: strerror(errno)))" }
}
