import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Where `serve` will listen, taken before anything is created: a port that is taken, or an
/// address this machine does not have, stops the start with a message and leaves the data folder
/// as it was (no database, no admin key). The port stays held, by a listener that closes every
/// connection at once (a client sees a reset, as from a server not up yet), while the store is
/// opened or created, and is let go only just before the server binds it: Hummingbird binds a
/// socket of its own and cannot adopt one. Port 0 (any free one) cannot be taken.
struct PortReservation {
    private let channel: (any Channel)?

    static func take(host: String, port: Int) async throws(ServeError) -> PortReservation {
        guard port != 0 else { return PortReservation(channel: nil) }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { $0.close() }
                .bind(host: host, port: port).get()
            return PortReservation(channel: channel)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw .portInUse(host: host, port: port)
        } catch {
            throw .cannotListen(host: host, port: port, reason: "\(error)")
        }
    }

    /// Lets the port go, for the server to bind it at once.
    func release() async throws(ServeError) {
        guard let channel else { return }
        do { try await channel.close() } catch {
            throw .cannotListen(host: "", port: 0, reason: "the reserving listener did not close: \(error)")
        }
    }
}

/// Why `coupon-server serve` did not start.
enum ServeError: Error, CustomStringConvertible {
    case portInUse(host: String, port: Int)
    case cannotListen(host: String, port: Int, reason: String)

    var description: String {
        switch self {
        case .portInUse(let host, let port):
            "port \(port) on \(host) is in use (another coupon-server?); nothing was created. Stop it, or give --port"
        case .cannotListen(let host, let port, let reason):
            "cannot listen on \(host):\(port): \(reason); nothing was created"
        }
    }
}
