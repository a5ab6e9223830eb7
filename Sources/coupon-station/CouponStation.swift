import ArgumentParser
import CLISupport
import CouponCore
import Station
import StationCLI

@main
struct CouponStation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon-station",
        abstract: "The settlement station: reads coupon QR codes and product barcodes, settles, prints receipts.",
        discussion: """
            Exit status: 0 paid (or done), 1 scan: unreadable images, 2 bad input or wrong key, 3 declined or \
            cancelled, 4 scan: images without a symbol, 5 server unreachable or failed, 7 the station journal \
            cannot be written (disk full, read-only, corrupt), 64 usage.
            """,
        subcommands: [
            ScanCommand.self, SettleCommand.self, RunCommand.self, ReprintCommand.self, RecoverCommand.self,
        ]
    )

    static func main() async {
        await ProgramMain.run(Self.self, exitStatus: exitStatus)
    }

    /// The one place this program's failures become exit statuses (docs/station.md).
    static func exitStatus(_ error: any Error) -> Int32 {
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
        default: 2
        }
    }
}
