import AsyncHTTPClient
import CouponAPI
import CouponCore
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// The one client of the provider's API: JSON bodies of ``CouponAPI``, the key as a bearer token,
/// an `Idempotency-Key` on every state change, bounded retries with backoff and jitter for lost
/// connections and 5xx only, and errors typed from the answer's `error.code` or the transport's
/// own error. The `HTTPClient` is given: whoever made it shuts it down.
///
/// Several servers of one provider (on one database) can be given: a call goes to the first, and
/// moves on to the next when a server cannot be reached or answers 503. A request that may have
/// reached a server moves on only when repeating it is safe (a read, or under its idempotency
/// key); one whose connection was refused moves on always, since no server saw it.
public struct APIClient: Sendable {
    public let http: HTTPClient
    /// Every server's URL without a trailing slash, the preferred first.
    public let baseURLs: [String]
    /// The preferred server.
    public var baseURL: String { baseURLs[0] }
    /// The server that answered last: the next call starts there, so a server that is down costs
    /// one failed connection, not one per call. Shared by the copies of this client.
    private let current = CurrentServer()
    /// The API key; nil for the public calls.
    public let key: String?
    /// Time allowed for one attempt, answer included.
    public var timeout: TimeAmount = .seconds(30)
    public var retry = RetryPolicy()
    /// The largest answer read (a backup can be large).
    public var maxAnswer = 1 << 30

    /// - Parameter baseURL: one server's URL, or several separated by commas.
    public init(http: HTTPClient, baseURL: String, key: String?) {
        self.init(http: http, baseURLs: baseURL.split(separator: ",").map(String.init), key: key)
    }

    public init(http: HTTPClient, baseURLs: [String], key: String?) {
        self.http = http
        let trimmed = baseURLs.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        self.baseURLs = (trimmed.isEmpty ? [""] : trimmed).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.key = key
    }

    /// A method of HTTP the API uses.
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT"
    }

    /// An answer as bytes, with its status (2xx only; the rest are thrown).
    public struct Answer: Sendable {
        public var status: Int
        public var body: Data
    }

    /// Calls `path` with `body` as JSON and decodes the answer as `Reply`.
    /// - Parameter idempotencyKey: required for a state change to be retried; a fresh one per
    ///   operation (``newIdempotencyKey()``), the same one for its retries.
    public func call<Reply: Decodable>(
        _ method: Method, _ path: String, body: (some Encodable)? = nil as Never?, idempotencyKey: String? = nil,
        as reply: Reply.Type = Reply.self
    ) async throws(APIClientError) -> Reply {
        var bytes: [UInt8]? = nil
        if let body {
            // Sorted keys: the same request is the same bytes, as its Idempotency-Key's hash needs
            // (Foundation's encoder on Linux orders keys differently from one run to the next).
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            do { bytes = Array(try encoder.encode(body)) } catch {
                throw .request("the body does not encode: \(error)")
            }
        }
        let answer = try await send(method, path, bytes: bytes, idempotencyKey: idempotencyKey)
        do {
            return try JSONDecoder().decode(Reply.self, from: answer.body)
        } catch {
            throw .unexpected(status: answer.status, "the answer to \(path) is not \(Reply.self): \(error)")
        }
    }

    /// Sends raw bytes (a CSV catalogue, say) and returns the raw answer.
    public func send(
        _ method: Method, _ path: String, bytes: [UInt8]? = nil, contentType: String = "application/json",
        idempotencyKey: String? = nil
    ) async throws(APIClientError) -> Answer {
        var server = current.index % baseURLs.count
        var request = HTTPClientRequest(url: baseURLs[server] + path)
        request.method = HTTPMethod(rawValue: method.rawValue)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "Accept", value: "application/json")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        // A read is safe to repeat; a state change only under its idempotency key.
        let repeatable = method == .get || idempotencyKey != nil
        let attempts = repeatable ? max(1, retry.attempts) : 1
        var attempt = 0
        var tried = 1
        while true {
            if let bytes { request.body = .bytes(ByteBuffer(bytes: bytes)) }
            do {
                let answer = try await once(request, path: path)
                current.index = server
                return answer
            } catch {
                // Another server first, while one is left that was not tried for this attempt.
                if error.isFailover(repeatable: repeatable), tried < baseURLs.count {
                    server = (server + 1) % baseURLs.count
                    tried += 1
                    request.url = baseURLs[server] + path
                    continue
                }
                attempt += 1
                guard error.isRetryable, attempt < attempts else { throw error }
                tried = 1
                try? await Task.sleep(for: retry.delay(after: attempt))
            }
        }
    }

    private func once(_ request: HTTPClientRequest, path: String) async throws(APIClientError) -> Answer {
        let status: Int
        let body: Data
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            body = Data(buffer: try await response.body.collect(upTo: maxAnswer))
        } catch {
            throw APIClientError.transport(error)
        }
        if (200..<300).contains(status) { return Answer(status: status, body: body) }
        guard let problem = try? JSONDecoder().decode(ErrorBody.self, from: body) else {
            throw .unexpected(status: status, "\(path) answered without the API's error body")
        }
        throw .api(status: status, problem)
    }

    /// A fresh idempotency key from the system's cryptographic generator.
    public static func newIdempotencyKey(prefix: String = "ctl") -> String {
        prefix + "-" + SecureID.hex()
    }

    /// `text` as one path segment, percent-encoded.
    public static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .init(charactersIn: Self.unreserved)) ?? text
    }

    /// `text` as a query value.
    public static func query(_ text: String) -> String { segment(text) }

    private static let unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
}

/// Which of several servers a client uses now.
final class CurrentServer: Sendable {
    private let value = Mutex(0)
    var index: Int {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// How often and how patiently a call is repeated: exponential backoff from `base`, capped at
/// `cap`, each wait drawn at random below it ("full jitter"), so clients that failed together do
/// not come back together.
public struct RetryPolicy: Sendable {
    public var attempts = 3
    public var base: Duration = .milliseconds(200)
    public var cap: Duration = .seconds(3)

    public init(attempts: Int = 3, base: Duration = .milliseconds(200), cap: Duration = .seconds(3)) {
        self.attempts = attempts
        self.base = base
        self.cap = cap
    }

    /// The wait before attempt `attempt + 1`, between half and all of the backoff.
    func delay(after attempt: Int) -> Duration {
        let ceiling = min(cap, base * (1 << min(attempt - 1, 16)))
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: nanoseconds / 2...max(nanoseconds / 2, nanoseconds)))
    }
}
