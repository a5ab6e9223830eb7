import CLISupport
import StationCLI

#if canImport(Glibc)
    import Glibc
#endif

/// coupon-station with a crash injected, for the crash tests only (never shipped, never built into
/// coupon-station): `station-crash STEP settle ...` runs coupon-station's commands and kills
/// itself with SIGKILL right after the checkout journals STEP (`sending`, `held`, `confirmed`,
/// `captured`).
@main
enum StationCrash {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count > 1 else {
            Terminal.error("usage: station-crash STEP coupon-station-arguments...")
            exit(64)
        }
        let step = arguments.removeFirst()
        CheckoutHooks.afterStep = { reached in
            if reached == step { kill(getpid(), SIGKILL) }
        }
        await ProgramMain.run(StationCommands.self, arguments: arguments) { _ in nil }
    }
}
