import ArgumentParser
import CLISupport
import IssuerCLI

@main
struct CouponCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "couponctl",
        abstract: "The issuer's tool: issue coupons as QR images, MMS and SMS; run the provider from the command line.",
        discussion: """
            Server and key come from --config FILE, then COUPON_SERVER and COUPON_API_KEY, then --server and --key.
            Exit status: 0 done, 1 audit discrepancy or render failure, 2 bad input, 3 not found, 4 refused by \
            the server, 5 server unreachable or failed, 6 wrong key or role, 64 usage.
            """,
        version: ProgramVersion.text,
        subcommands: [
            IssueCommand.self, BalanceCommand.self, HistoryCommand.self, LoadCommand.self, AdjustCommand.self,
            BlockCommand.self, UnblockCommand.self, ReissueCommand.self, RefundCommand.self, ProductsCommand.self,
            StationsCommand.self, KeysCommand.self, UsersCommand.self, ReportCommand.self, AuditCommand.self, BackupCommand.self,
            ExportCommand.self, RenderCommand.self, CouponsCommand.self, OutboxCommand.self,
        ]
    )

    static func main() async {
        await ProgramMain.run(Self.self, exitStatus: exitStatus)
    }

    /// The one place this program's failures become exit statuses (docs/issuer.md).
    static func exitStatus(_ error: any Error) -> Int32? {
        switch error {
        case let error as IssuerError:
            switch error {
            case .discrepancy: 1
            case .badInput: 2
            case .notFound: 3
            case .refused: 4
            case .server: 5
            case .unauthorised: 6
            }
        case is CLIError: 1
        default: nil
        }
    }
}
