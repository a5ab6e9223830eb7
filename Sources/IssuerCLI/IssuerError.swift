import CouponClient

/// A failure of a `couponctl` command. couponctl's main chooses the exit status of each.
public enum IssuerError: Error, CustomStringConvertible, Sendable {
    /// Bad input on our side: a file, an amount, an option.
    case badInput(String)
    /// The server answered 404.
    case notFound(String)
    /// The server refused the request: a conflict or an unprocessable change.
    case refused(status: Int, code: String, message: String)
    /// The server could not be reached, or failed.
    case server(String)
    /// Wrong or missing key, or the wrong role.
    case unauthorised(String)
    /// The audit found discrepancies.
    case discrepancy(String)

    public var description: String {
        switch self {
        case .badInput(let why): why
        case .notFound(let why): why
        case .refused(let status, let code, let message): "refused (\(status) \(code)): \(message)"
        case .server(let why): "server unreachable or failed: \(why)"
        case .unauthorised(let why): why
        case .discrepancy(let why): why
        }
    }

    /// A failed call as the issuer sees it, from its status and typed code.
    init(_ error: APIClientError) {
        switch error {
        case .api(let status, let body):
            let message = body.error.message
            switch status {
            case 401: self = .unauthorised("the server refused the key (401): \(message)")
            case 403: self = .unauthorised("this key may not do that (403): \(message)")
            case 404: self = .notFound(message)
            case 400: self = .badInput("\(message) (\(body.error.code))")
            case 500...: self = .server("\(status) \(body.error.code): \(message)")
            default: self = .refused(status: status, code: body.error.code.rawValue, message: message)
            }
        case .request(let why): self = .badInput(why)
        case .transport, .unexpected: self = .server(error.description)
        }
    }
}

/// Runs a call and reports its failure as ``IssuerError``.
func calling<T>(_ call: () async throws -> T) async throws(IssuerError) -> T {
    do { return try await call() } catch let error as APIClientError { throw IssuerError(error) } catch let error
        as IssuerError
    {
        throw error
    } catch {
        throw .server("\(error)")
    }
}
