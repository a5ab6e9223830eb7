import CouponAPI
import CouponClient
import CouponCore

/// What can stop a checkout. The programs choose the exit status of each (coupon-station's main).
public enum StationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operator's input is wrong: an unreadable image, a malformed code, a bad option.
    case badInput(String)
    /// The provider declined (insufficient balance, expired, blocked, unknown coupon or product).
    case declined(code: ErrorCode, message: String, balance: Amount?)
    /// The provider refused the request for another reason (wrong key, another station's
    /// settlement, hold expired): a 4xx that is not a decline.
    case refused(status: Int, code: ErrorCode, message: String)
    /// The provider could not be reached, or failed (5xx, a malformed answer).
    case server(String)
    /// The till would not sell offline (a limit, a state it cannot trust, a product it does not
    /// know): `code` names the rule (docs/station.md).
    case offline(code: String, message: String)
    /// The station's journal cannot be opened, read or written (disk full, read-only, corrupt):
    /// no checkout may go on without it.
    case journal(String)

    public var description: String {
        switch self {
        case .badInput(let why): return why
        case .declined(_, let message, _): return "declined: \(message)"
        case .refused(let status, let code, let message): return "the server refused (\(status) \(code)): \(message)"
        case .server(let why): return "server unreachable or failed: \(why)"
        case .journal(let why): return "the station journal failed: \(why)"
        case .offline(let code, let message): return "not sold offline (\(code)): \(message)"
        }
    }

    /// A failed call as the station sees it: a decline (402, or 422 for unknown products), another
    /// refusal (4xx), or the server's failure (no answer, 5xx, an answer that is not the API's).
    public init(_ error: APIClientError) {
        switch error {
        case .api(let status, let body) where status == 402 || body.error.code == .unknownProduct:
            self = .declined(code: body.error.code, message: body.error.message, balance: body.balance)
        case .api(let status, let body) where status < 500:
            self = .refused(status: status, code: body.error.code, message: body.error.message)
        case .request(let why):
            self = .badInput(why)
        default:
            self = .server(error.description)
        }
    }
}

extension Amount {
    /// As money; an unknown currency is the server's mistake, reported as such.
    func received() throws(StationError) -> Money {
        do { return try money() } catch {
            throw StationError.server("the server answered with an unknown currency '\(currency)'")
        }
    }
}
