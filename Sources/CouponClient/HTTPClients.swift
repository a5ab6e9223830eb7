import AsyncHTTPClient
import NIOCore
import NIOSSL

/// Makes the `HTTPClient` an ``APIClient`` is given: one trust setting (the system's CA store, or
/// the one CA file given with `--ca`, a provider's own CA), full verification, TLS 1.2 or later.
/// Whoever makes a client owns it and shuts it down (``withHTTPClient(caFile:connect:read:_:)``
/// does both around a body).
public enum HTTPClients {
    /// A new client that trusts `caFile` (PEM) only, or the system store when nil.
    /// - Throws: ``ClientTLSError`` when the CA file cannot be read.
    public static func make(caFile: String?, connect: TimeAmount = .seconds(3), read: TimeAmount = .seconds(120))
        throws(ClientTLSError) -> HTTPClient
    {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        tls.minimumTLSVersion = .tlsv12
        if let caFile {
            do {
                let roots = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !roots.isEmpty else { throw ClientTLSError(path: caFile, problem: "holds no certificate") }
                tls.trustRoots = .certificates(roots)
            } catch let error as ClientTLSError {
                throw error
            } catch {
                throw ClientTLSError(path: caFile, problem: "is not a readable PEM certificate (\(error))")
            }
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, timeout: .init(connect: connect, read: read))
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}

/// Runs `body` with a new client (``HTTPClients/make(caFile:connect:read:)``) and shuts the client
/// down after, whether `body` returned or threw.
public func withHTTPClient<T: Sendable>(
    caFile: String?, connect: TimeAmount = .seconds(3), read: TimeAmount = .seconds(120),
    _ body: (HTTPClient) async throws -> T
) async throws -> T {
    let http = try HTTPClients.make(caFile: caFile, connect: connect, read: read)
    do {
        let value = try await body(http)
        try await http.shutdown()
        return value
    } catch {
        try? await http.shutdown()
        throw error
    }
}

/// A `--ca` file that cannot be used.
public struct ClientTLSError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "the CA file \(path) \(problem)" }
}
