import ArgumentParser
import StationCLI

struct CouponCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "couponctl",
        abstract: "The issuer's tool: renders coupon QR codes.",
        subcommands: [RenderCommand.self]
    )
}

CouponCtl.main()
