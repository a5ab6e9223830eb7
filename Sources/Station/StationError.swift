/// What can stop a checkout, each with the station's exit status.
public enum StationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operator's input is wrong: an unreadable image, a malformed code, a bad option.
    case badInput(String)
    /// The provider declined (insufficient balance, expired, blocked, unknown coupon or product).
    case declined(code: String, message: String, balance: WireAmount?)
    /// The provider refused the request for another reason (wrong key, another station's
    /// settlement, hold expired): a 4xx that is not a decline.
    case refused(status: Int, code: String, message: String)
    /// The provider could not be reached, or failed (5xx, a malformed answer).
    case server(String)

    public var description: String {
        switch self {
        case .badInput(let why): return why
        case .declined(_, let message, _): return "declined: \(message)"
        case .refused(let status, let code, let message): return "the server refused (\(status) \(code)): \(message)"
        case .server(let why): return "server unreachable or failed: \(why)"
        }
    }

    /// The exit status of `coupon-station settle`: 3 declined, 2 bad input, 5 server.
    public var exitCode: Int32 {
        switch self {
        case .badInput: return 2
        case .declined: return 3
        case .refused(let status, _, _): return status == 401 || status == 403 ? 2 : 5
        case .server: return 5
        }
    }
}
