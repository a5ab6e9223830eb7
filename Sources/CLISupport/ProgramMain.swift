import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// A failure its command has reported already (a scan summary, a "not paid" slip): the program
/// ends with its status and prints nothing more.
public protocol ReportedFailure: Error {}

/// How each program starts and ends: files it creates are for its user alone (umask 077: 0600,
/// folders 0700), the command line is parsed and run, and a failure is one line on standard error
/// and the exit status the program's own `exitStatus` chooses. Usage errors, `--help` and
/// `ExitCode` go the way ArgumentParser sends them (64, 0, as given).
public enum ProgramMain {
    /// - Parameter exitStatus: the program's status for one of its own typed failures; nil for
    ///   an error it does not know, which ends with status 2 (ArgumentParser's own, such as
    ///   `--help` or a usage error, go its way).
    public static func run<Root: AsyncParsableCommand>(
        _ root: Root.Type, arguments: [String]? = nil, exitStatus: @Sendable (any Error) -> Int32?
    ) async -> Never {
        // umask cannot fail; it returns the mask it replaces.
        _ = umask(0o077)
        do {
            var command = try root.parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            let name = root.configuration.commandName ?? "error"
            if let status = exitStatus(error) {
                if !(error is any ReportedFailure) { Terminal.error("\(name): \(error)") }
                exit(status)
            }
            // ArgumentParser's errors (help, usage, ExitCode, CleanExit) have their own status;
            // any other is a failure this program did not type: one line, status 2.
            guard root.exitCode(for: error) == .failure, !(error is ExitCode) else { root.exit(withError: error) }
            Terminal.error("\(name): \(error)")
            exit(2)
        }
    }
}
