import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Station

/// A failure of a `couponctl` command, with its exit status.
public enum IssuerError: Error, CustomStringConvertible, Sendable {
    /// Bad input on our side: a file, an amount, an option (exit 2).
    case badInput(String)
    /// The server answered 404 (exit 3).
    case notFound(String)
    /// The server refused the request: a conflict or an unprocessable change (exit 4).
    case refused(status: Int, code: String, message: String)
    /// The server could not be reached, or failed (exit 5).
    case server(String)
    /// Wrong or missing key, or the wrong role (exit 6).
    case unauthorised(String)
    /// The audit found discrepancies (exit 1).
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

    public var exitCode: Int32 {
        switch self {
        case .discrepancy: 1
        case .badInput: 2
        case .notFound: 3
        case .refused: 4
        case .server: 5
        case .unauthorised: 6
        }
    }
}

/// `couponctl`'s view of the provider's API: JSON in, JSON out, errors as ``IssuerError``.
struct AdminClient: Sendable {
    let baseURL: String
    let key: String
    /// The CA (PEM) the server's certificate must chain to; nil: the system's store.
    var caFile: String? = nil

    /// Sends a request and returns the JSON object answered (or the raw bytes for `raw`).
    func call(
        _ method: String, _ path: String, json: Any? = nil, body: [UInt8]? = nil,
        contentType: String = "application/json",
        idempotencyKey: String? = nil
    ) async throws(IssuerError) -> [String: Any] {
        let data = try await raw(
            method, path, json: json, body: body, contentType: contentType, idempotencyKey: idempotencyKey)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .server("\(path) did not answer with a JSON object")
        }
        return object
    }

    func raw(
        _ method: String, _ path: String, json: Any? = nil, body: [UInt8]? = nil,
        contentType: String = "application/json",
        idempotencyKey: String? = nil
    ) async throws(IssuerError) -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "Accept", value: "application/json")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        var bytes = body
        if let json {
            do { bytes = Array(try JSONSerialization.data(withJSONObject: json)) } catch {
                throw .badInput("cannot encode the request: \(error)")
            }
        }
        // State changes carry an idempotency key, so a retry after a lost answer is safe; reads are safe anyway.
        let retryable = method == "GET" || idempotencyKey != nil
        let http: HTTPClient
        do {
            http = try ClientTLS.client(caFile: caFile, connect: .seconds(3), read: .seconds(120))
        } catch {
            throw .badInput(error.description)
        }
        var problem = ""
        for attempt in 0..<(retryable ? 3 : 1) {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(300 << attempt)) }
            if let bytes { request.body = .bytes(ByteBuffer(bytes: bytes)) }
            let status: Int
            let data: Data
            do {
                let response = try await http.execute(request, timeout: .seconds(120))
                status = Int(response.status.code)
                data = Data(buffer: try await response.body.collect(upTo: 1 << 30))
            } catch {
                problem = "\(baseURL): " + Self.describe(error)
                continue
            }
            if status >= 500 {
                problem = "\(method) \(path) answered \(status)"
                continue
            }
            if (200..<300).contains(status) { return data }
            let error = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            let code = (error?["error"] as? [String: Any])?["code"] as? String ?? "error"
            let message = (error?["error"] as? [String: Any])?["message"] as? String ?? "status \(status)"
            switch status {
            case 401: throw .unauthorised("the server refused the key (401): \(message)")
            case 403: throw .unauthorised("this key may not do that (403): \(message)")
            case 404: throw .notFound(message)
            case 400: throw .badInput("\(message) (\(code))")
            default: throw .refused(status: status, code: code, message: message)
            }
        }
        throw .server(problem)
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("deadlineExceeded") || text.contains("Timeout") { return "timed out" }
        return text
    }
}

extension Dictionary where Key == String, Value == Any {
    /// `{"amount": 30000, "currency": "CNY"}` under `key`, as minor units and currency.
    func amount(_ key: String) -> (minor: Int64, currency: String)? {
        guard let object = self[key] as? [String: Any], let amount = (object["amount"] as? NSNumber)?.int64Value,
            let currency = object["currency"] as? String
        else { return nil }
        return (amount, currency)
    }
}
