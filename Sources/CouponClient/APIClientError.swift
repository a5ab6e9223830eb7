import AsyncHTTPClient
import CouponAPI
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#endif

/// Why a call to the API failed.
public enum APIClientError: Error, Sendable, CustomStringConvertible {
    /// The server answered with the API's error body: its status and typed code.
    case api(status: Int, ErrorBody)
    /// No answer: the connection could not be made, was lost, timed out, or its TLS failed.
    case transport(Transport, String)
    /// An answer that is not the API's: a status without an error body, or a body that is not the
    /// expected type (a wrong server, a proxy's page).
    case unexpected(status: Int, String)
    /// The request itself could not be made (a body that does not encode, a bad URL).
    case request(String)

    /// What went wrong below HTTP.
    public enum Transport: String, Sendable {
        case refused = "connection refused"
        case timedOut = "timed out"
        case closed = "connection lost"
        case tls = "TLS failed"
        case other = "transport failed"
    }

    /// The API's error code, when the server sent one.
    public var code: ErrorCode? {
        if case .api(_, let body) = self { return body.error.code }
        return nil
    }

    /// The HTTP status, when there was an answer.
    public var status: Int? {
        switch self {
        case .api(let status, _), .unexpected(let status, _): status
        case .transport, .request: nil
        }
    }

    public var description: String {
        switch self {
        case .api(let status, let body): "\(status) \(body.error.code): \(body.error.message)"
        case .transport(let kind, let detail): "\(kind.rawValue) (\(detail))"
        case .unexpected(let status, let why): "unexpected answer \(status): \(why)"
        case .request(let why): "cannot make the request: \(why)"
        }
    }

    /// Whether sending the same request again may succeed: no answer (but not a TLS failure,
    /// which a retry repeats), a 5xx, or 409 `idempotency_in_flight` (our own earlier attempt,
    /// still being processed). Never another 4xx.
    /// Whether another server of the same provider should get the request: it could not be
    /// reached (refused: none saw it) or is unavailable (503, a server whose database is away);
    /// a lost or timed-out request only when it is safe to repeat.
    func isFailover(repeatable: Bool) -> Bool {
        switch self {
        case .transport(.refused, _): true
        case .transport(.tls, _): false
        case .transport: repeatable
        case .api(let status, _), .unexpected(let status, _): repeatable && (status == 503 || status == 502)
        case .request: false
        }
    }

    var isRetryable: Bool {
        switch self {
        case .transport(let kind, _): kind != .tls
        case .api(let status, let body): status >= 500 || body.error.code == .idempotencyInFlight
        case .unexpected(let status, _): status >= 500
        case .request: false
        }
    }

    /// The transport's typed error as one of ``Transport``.
    static func transport(_ error: any Error) -> APIClientError {
        .transport(classify(error), String(describing: error))
    }

    static func classify(_ error: any Error) -> Transport {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout, .tlsHandshakeTimeout:
                return .timedOut
            case .remoteConnectionClosed, .cancelled, .alreadyShutdown:
                return .closed
            default:
                return .other
            }
        case let error as IOError:
            return classify(errno: error.errnoCode)
        case let error as NIOConnectionError:
            let errnos = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            if errnos.contains(ECONNREFUSED) { return .refused }
            return error.dnsAAAAError != nil || error.dnsAError != nil ? .other : .refused
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return .timedOut
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return .closed
            default: return .other
            }
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return .tls
        default:
            return .other
        }
    }

    static func classify(errno: Int32) -> Transport {
        switch errno {
        case ECONNREFUSED: .refused
        case ETIMEDOUT: .timedOut
        case ECONNRESET, EPIPE, ECONNABORTED: .closed
        default: .other
        }
    }
}
