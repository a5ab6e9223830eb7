import AsyncHTTPClient
import NIOCore
import NIOSSL
import Synchronization

/// The HTTP clients of a process, one per trust setting: the system's CA store, or the one CA
/// file given with `--ca` (a provider's own CA). Verification is never turned off. The clients
/// live as long as the process, as a CLI's single client would.
public enum ClientTLS {
    private static let clients = Mutex<[String: HTTPClient]>([:])

    /// The client that trusts `caFile` (PEM) only, or the system store when nil.
    /// - Throws: ``ClientTLSError`` when the CA file cannot be read.
    public static func client(caFile: String?, connect: TimeAmount, read: TimeAmount) throws(ClientTLSError)
        -> HTTPClient
    {
        let name = "\(caFile ?? "-") \(connect.nanoseconds) \(read.nanoseconds)"
        if let found = clients.withLock({ $0[name] }) { return found }
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
        return clients.withLock { clients in
            if let raced = clients[name] { return raced }
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[name] = client
            return client
        }
    }
}

/// A `--ca` file that cannot be used.
public struct ClientTLSError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "the CA file \(path) \(problem)" }
}
