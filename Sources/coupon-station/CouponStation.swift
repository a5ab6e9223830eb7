import CLISupport
import CouponCore
import Station
import StationCLI

@main
enum CouponStation {
    static func main() async {
        await ProgramMain.run(
            StationCommands.self, arguments: zbarimgSettings(Array(CommandLine.arguments.dropFirst())),
            exitStatus: exitStatus)
    }

    /// zbarimg writes its settings joined to `-S`, values included (`-Sqrcode.enable=0`), which
    /// ArgumentParser does not split: each becomes `--set SETTING` before parsing.
    static func zbarimgSettings(_ arguments: [String]) -> [String] {
        arguments.flatMap { argument in
            argument.hasPrefix("-S") && argument.count > 2 ? ["--set", String(argument.dropFirst(2))] : [argument]
        }
    }

    /// The one place this program's failures become exit statuses (docs/station.md).
    static func exitStatus(_ error: any Error) -> Int32? {
        switch error {
        case let error as StationError:
            switch error {
            case .badInput: 2
            case .declined: 3
            case .refused(let status, _, _): status == 401 || status == 403 ? 2 : 5
            case .server: 5
            case .journal: 7
            case .offline: 3
            }
        case is NotPaid: 3
        case is ForwardRefused: 4
        case ScanShortfall.unreadable: 1
        case ScanShortfall.empty: 4
        case is BasketError: 2
        default: nil
        }
    }
}
