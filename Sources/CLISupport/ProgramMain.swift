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
    public static func run<Root: AsyncParsableCommand>(
        _ root: Root.Type, exitStatus: (any Error) -> Int32
    ) async -> Never {
        // umask cannot fail; it returns the mask it replaces.
        _ = umask(0o077)
        var command: any ParsableCommand
        do {
            command = try root.parseAsRoot()
        } catch {
            // A usage error, --help, --version: ArgumentParser's answer and status.
            root.exit(withError: error)
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let error as ExitCode {
            root.exit(withError: error)
        } catch let error as CleanExit {
            root.exit(withError: error)
        } catch let error as ValidationError {
            root.exit(withError: error)
        } catch {
            if !(error is any ReportedFailure) {
                Terminal.error("\(root.configuration.commandName ?? "error"): \(error)")
            }
            exit(exitStatus(error))
        }
    }
}
