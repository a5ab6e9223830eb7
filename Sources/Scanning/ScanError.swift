/// A failure of zbar itself (not "no code found", which is an empty result).
public struct ScanError: Error, CustomStringConvertible, Sendable {
    /// What was being done.
    public let operation: String
    /// zbar's return code.
    public let code: Int32

    public var description: String { "zbar: \(operation) failed (code \(code))" }
}
