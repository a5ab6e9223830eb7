import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// JSON calls to a server under test, with the status: for the tests that judge each answer.
struct APICalls: Sendable {
    let url: String
    /// The client the calls go through (its pooled connections stay open until it shuts down).
    var client: HTTPClient = .shared

    func call(_ method: String, _ path: String, key: String?, body: String? = nil) async throws
        -> (status: Int, body: [String: Any])
    {
        var request = HTTPClientRequest(url: url + path)
        request.method = .init(rawValue: method)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 24))
        return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }
}
