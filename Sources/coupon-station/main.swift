import ArgumentParser
import StationCLI

struct CouponStation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon-station",
        abstract: "The settlement station: reads coupon QR codes and product barcodes.",
        subcommands: [ScanCommand.self]
    )
}

CouponStation.main()
