import ArgumentParser
import Foundation
import IssuerCLI
import StationCLI

@main
struct CouponCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "couponctl",
        abstract: "The issuer's tool: issue coupons as QR images, MMS and SMS; run the provider from the command line.",
        discussion: """
            Server and key come from --config FILE, then COUPON_SERVER and COUPON_API_KEY, then --server and --key.
            Exit status: 0 done, 1 audit discrepancy, 2 bad input, 3 not found, 4 refused by the server, \
            5 server unreachable or failed, 6 wrong key or role, 64 usage.
            """,
        subcommands: [
            IssueCommand.self, BalanceCommand.self, HistoryCommand.self, LoadCommand.self, AdjustCommand.self,
            BlockCommand.self, UnblockCommand.self, ReissueCommand.self, RefundCommand.self, ProductsCommand.self,
            StationsCommand.self, KeysCommand.self, ReportCommand.self, AuditCommand.self, BackupCommand.self,
            ExportCommand.self, RenderCommand.self,
        ]
    )
    /// Files this program creates (databases, keys, coupons, journals) are for its user alone: 0600,
    /// folders 0700. `umask` cannot fail; it returns the mask it replaces.
    static func main() async {
        _ = umask(0o077)
        await main(nil)
    }
}
