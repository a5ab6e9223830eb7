import ArgumentParser
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
}
