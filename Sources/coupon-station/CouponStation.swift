import ArgumentParser
import Foundation
import StationCLI

@main
struct CouponStation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon-station",
        abstract: "The settlement station: reads coupon QR codes and product barcodes, settles, prints receipts.",
        subcommands: [
            ScanCommand.self, SettleCommand.self, RunCommand.self, ReprintCommand.self, RecoverCommand.self,
        ]
    )
    /// Files this program creates (databases, keys, coupons, journals) are for its user alone: 0600,
    /// folders 0700. `umask` cannot fail; it returns the mask it replaces.
    static func main() async {
        _ = umask(0o077)
        await main(nil)
    }
}
