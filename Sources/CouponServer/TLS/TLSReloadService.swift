import Logging
import ServiceLifecycle
import UnixSignals

/// Reads the certificate and key again on each SIGHUP (a renewed certificate goes live without a
/// restart); a bad pair is logged and the old one kept.
struct TLSReloadService: Service {
    let reloader: TLSReloader
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                try reloader.reload()
                logger.notice("TLS certificate reloaded", metadata: ["file": "\(reloader.certificatePath)"])
            } catch {
                logger.error(
                    "TLS reload failed; the previous certificate stays in use", metadata: ["error": "\(error)"])
            }
        }
    }
}
