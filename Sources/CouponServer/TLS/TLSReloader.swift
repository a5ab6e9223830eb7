import Logging
import NIOSSL
import Synchronization

/// The server's certificate chain and key, read from PEM files, and read again on SIGHUP. Each
/// new connection takes the context current when it arrives; connections already open keep the
/// one they started with, so a reload drops nothing.
public final class TLSReloader: Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let current: Mutex<NIOSSLContext>

    /// Reads both files now.
    /// - Throws: ``TLSFileError`` naming the file that could not be read or does not match.
    public init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = Mutex(try Self.context(certificatePath: certificatePath, keyPath: keyPath))
    }

    /// The context for a connection arriving now.
    var context: NIOSSLContext { current.withLock { $0 } }

    /// Reads the files again; on any error the old context stays in use.
    public func reload() throws {
        let fresh = try Self.context(certificatePath: certificatePath, keyPath: keyPath)
        current.withLock { $0 = fresh }
    }

    static func context(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw TLSFileError(path: certificatePath, problem: "is not a readable PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else { throw TLSFileError(path: certificatePath, problem: "holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw TLSFileError(path: keyPath, problem: "is not a readable PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFileError(
                path: keyPath, problem: "does not match the certificate in \(certificatePath) (\(error))")
        }
    }
}

/// A certificate or key file that cannot be used.
public struct TLSFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "\(path) \(problem)" }
}
