import CLISupport
import CouponCore
import Station
import StationCLI

@main
enum CouponStation {
    static func main() async {
        await ProgramMain.run(StationCommands.self, exitStatus: exitStatus)
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
            }
        case is NotPaid: 3
        case ScanShortfall.unreadable: 1
        case ScanShortfall.empty: 4
        case is BasketError: 2
        default: nil
        }
    }
}
